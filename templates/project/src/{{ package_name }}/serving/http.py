"""The service's HTTP boundary, in front of BentoML: what a request may be, how a refusal reads.

- Content type: the endpoints take JSON. Any other type is answered 415 (BentoML would read
  it as a form, and fail with 500 on a multipart body without a boundary). A request without
  a content type is read as JSON, as BentoML reads it.
- Size: a body over its endpoint's limit is answered 413 as soon as the limit is passed,
  whether or not the request declared its length, so a huge body never reaches the parser.
- Refusals: BentoML answers a bad request with one of two bodies (a list, or an object whose
  `detail` is a list), neither the one its OpenAPI document declares. Every 4xx of an
  endpoint is sent as the documented {"error": "<one line>"}, and logged as a one-line
  warning that names the endpoint and the fields at fault, never the values sent (BentoML's
  own ERROR with a traceback, which quotes the input, is dropped for these).
- The OpenAPI document (/docs.json) declares the 400, 409, 413 and 415 answers, and each
  endpoint's limit (`x-max-bytes` of its request body).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Container, MutableMapping
from typing import Any

from bentoml.exceptions import BentoMLException
from pydantic import ValidationError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger(__name__)
OPENAPI_PATH = "/docs.json"
JSON = "application/json"
_REPLACED = {b"content-type", b"content-length"}
REFUSAL_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string", "description": "Why, in one line"}},
}


class _QuietRefusals(logging.Filter):
    """Drops BentoML's ERROR (with a traceback) for a request it refuses with a 4xx."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ValidationError):
            return False
        return not (isinstance(error, BentoMLException) and error.error_code.value < 500)


class RequestBoundary:
    """ASGI middleware: content type, size limits and refusals of the endpoints in `limits`
    (path -> most bytes a body may have)."""

    def __init__(self, app: App, limits: dict[str, int]) -> None:
        self.app = app
        self.limits = limits
        logging.getLogger("bentoml._internal.server.http_app").addFilter(_QuietRefusals())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or (path not in self.limits and path != OPENAPI_PATH):
            await self.app(scope, receive, send)
        elif path == OPENAPI_PATH:
            await self.app(scope, receive, _rewritten(send, self._document, {200}))
        else:
            await self._endpoint(scope, receive, send, self.limits[path])

    async def _endpoint(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        headers = {
            key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]
        }
        media_type = headers.get("content-type", JSON).split(";")[0].strip().lower()
        if media_type != JSON:
            return await self._refuse(scope, send, 415, f"send the body as {JSON}", "not JSON")
        declared = headers.get("content-length", "")
        too_large = declared.isascii() and declared.isdigit() and int(declared) > limit
        body = None if too_large else await _read_body(receive, limit)
        if body is None:
            reason = f"the body is over this endpoint's limit of {limit:,} bytes"
            return await self._refuse(scope, send, 413, reason, "body too large")

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        refusals = range(400, 500)
        await self.app(scope, replay, _rewritten(send, self._refusal(scope), refusals))

    async def _refuse(self, scope: Scope, send: Send, status: int, reason: str, log: str) -> None:
        _warn(scope, status, log)
        await send_json(send, status, {"error": reason})

    def _refusal(self, scope: Scope) -> Callable[[int, bytes], bytes]:
        """The documented body for a 4xx from BentoML or the endpoint, and its warning."""

        def rewrite(status: int, data: bytes) -> bytes:
            try:
                sent = json.loads(data)
            except ValueError:
                sent = data.decode("utf-8", "replace").strip()
            if isinstance(sent, list) and len(sent) == 1:
                sent = sent[0]  # BentoML wraps the error of an InvalidArgument in a list
            if isinstance(sent, dict) and isinstance(sent.get("detail"), list):
                problems = [(_location(item), _reason(item)) for item in sent["detail"]]
                _warn(scope, status, "invalid " + ", ".join(where for where, _ in problems))
                message = "; ".join(f"{where}: {what}" for where, what in problems)
            else:
                _warn(scope, status, "refused by the endpoint")
                message = str(sent.get("error", sent) if isinstance(sent, dict) else sent)
            return json.dumps({"error": " ".join(message.split())}).encode()

        return rewrite

    def _document(self, status: int, data: bytes) -> bytes:
        """BentoML's OpenAPI document with the refusals of every endpoint."""
        document = json.loads(data)
        document.setdefault("components", {}).setdefault("schemas", {})["Refusal"] = REFUSAL_SCHEMA
        refusal = {JSON: {"schema": {"$ref": "#/components/schemas/Refusal"}}}
        for path, limit in self.limits.items():
            operation = document.get("paths", {}).get(path, {}).get("post")
            if operation is None:
                continue
            request = operation["requestBody"]
            request["required"] = True  # an empty body is refused
            request["description"] = f"JSON, at most {limit:,} bytes"
            request["x-max-bytes"] = limit
            operation["responses"].update(
                {
                    "400": {"description": "Bad Request: the reason", "content": refusal},
                    "409": {
                        "description": "Conflict: the id was answered before the log kept "
                        "answers, so its answer cannot be repeated; send the row with a new id",
                        "content": refusal,
                    },
                    "413": {
                        "description": f"Content Too Large: the body is over {limit:,} bytes",
                        "content": refusal,
                    },
                    "415": {
                        "description": f"Unsupported Media Type: not {JSON}",
                        "content": refusal,
                    },
                }
            )
        return json.dumps(document).encode()


def _location(problem: dict[str, Any]) -> str:
    """Where a validation problem is: `rows.3.amount`, or `body` for the whole of it."""
    return ".".join(str(part) for part in problem.get("loc", ())) or "body"


def _reason(problem: dict[str, Any]) -> str:
    """pydantic's message for a validation problem, without its "Value error, " prefix."""
    return str(problem.get("msg", "")).removeprefix("Value error, ")


def _warn(scope: Scope, status: int, what: str) -> None:
    logger.warning("%s %s answered %d: %s", scope.get("method"), scope.get("path"), status, what)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None as soon as it is over `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_json(
    send: Send, status: int, body: dict[str, Any] | bytes, headers: list[Any] | None = None
) -> None:
    """Send `body` as JSON, with `headers` (such as a 405's `Allow`) but its own length."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    kept = [(key, value) for key, value in headers or [] if key.lower() not in _REPLACED]
    headers = [
        *kept,
        (b"content-type", JSON.encode()),
        (b"content-length", str(len(data)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def _rewritten(
    send: Send, rewrite: Callable[[int, bytes], bytes], statuses: Container[int]
) -> Send:
    """A `send` that replaces the JSON body of a response with one of `statuses` by
    `rewrite(status, body)`; other responses pass unchanged."""
    start: Message = {}
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] in statuses:
            start.update(message)
        elif message["type"] == "http.response.body" and start:
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = rewrite(start["status"], b"".join(chunks))
                await send_json(send, start["status"], body, start.get("headers"))
        else:
            await send(message)

    return wrapped
