"""The service's tail latency: what keeps Python's garbage collector from pausing it.

Under load, the slowest requests were not slow to score: they waited while the cyclic
garbage collector walked every object that had survived earlier collections, with the
event loop stopped. Three things made that walk long, and grow with the load (measured with
benchmarks/bench_serving.py, fraud detection, one worker, 8 connections: p99 145 ms at
662 requests/s before, 23 ms at 926 after the first two; docs/serving-at-load.md):

1. What the service loads at start (the model, pandas, xgboost, BentoML: hundreds of
   thousands of objects) is walked again by every full collection. `settle` freezes it once
   the service is loaded (`gc.freeze`): collections skip it from then on.
2. BentoML opens an OpenTelemetry span per request even with tracing off (no exporter), and
   its request timer (3) keeps the span alive. The service's endpoints are excluded from
   tracing (`UNTRACED`, in the service's `tracing` settings); a team that exports traces
   removes them from there.
3. BentoML 1.4's request timeout (`TimeoutMiddleware`) schedules a timer per request and
   never cancels it, so each request's future and context stay alive for the whole
   timeout (`traffic.timeout`) after the answer: at 900 requests/s and 30 s, 160,000
   objects more to walk. `cancel_request_timers` makes it cancel the timer once the answer
   starts, which is when BentoML itself stops waiting for it; the timeout is unchanged.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

from .http import Receive, Scope, Send, send_json

logger = logging.getLogger(__name__)

# The endpoints BentoML does not trace (see 2 above).
UNTRACED = ["/predict", "/predict_batch", "/forecast"]


def settle() -> None:
    """Freeze what is loaded now out of the garbage collector's sight (see 1 above); call
    it once the service is loaded, before the first request, and again when it has loaded
    another version: what was frozen is thawed and collected first, so that a version
    swapped out is freed (one full collection, once per promotion or rollback)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def cancel_request_timers() -> None:
    """Make BentoML's TimeoutMiddleware cancel its timer once a request is answered (see 3
    above). Where that middleware is not the one this was written for (another BentoML),
    it is left alone, with a warning."""
    try:
        from bentoml._internal.server.http.traffic import TimeoutMiddleware
    except ImportError:
        logger.warning("BentoML has no TimeoutMiddleware here: request timers left as they are")
        return
    if TimeoutMiddleware.__call__ is _call_cancelling_the_timer:
        return
    if not callable(getattr(TimeoutMiddleware, "_set_timer_out", None)):
        logger.warning("BentoML's TimeoutMiddleware changed: request timers left as they are")
        return
    TimeoutMiddleware.__call__ = _call_cancelling_the_timer  # type: ignore[method-assign]


async def _call_cancelling_the_timer(self: Any, scope: Scope, receive: Receive, send: Send) -> None:
    """BentoML 1.4's `TimeoutMiddleware.__call__`, which cancels its timer when done: 504
    if the answer has not started within `self.timeout` seconds."""
    if scope["type"] not in ("http", "websocket"):
        return await self.app(scope, receive, send)
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()
    timer = loop.call_later(self.timeout, self._set_timer_out, waiter)

    async def answer_started(message: Any) -> None:
        if not waiter.done():
            waiter.set_result(None)
        await send(message)

    request = asyncio.ensure_future(self.app(scope, receive, answer_started))
    try:
        await waiter
    except TimeoutError:
        if request.cancel():
            reason = f"Not able to process the request in {self.timeout} seconds"
            await send_json(send, 504, {"error": reason})
        return
    finally:
        timer.cancel()
    await request
