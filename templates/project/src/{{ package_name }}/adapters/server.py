"""Running the web service: a server for tests and the lifecycle job, `serve`, and bentos.

`serving/service.py` defines the service; this module starts `bentoml serve` for it the same way
everywhere, with what it needs to find the project: the project's model store
(`BENTOML_HOME`), its configuration (`PIPELINE_CONFIG`), and the package on `PYTHONPATH`.

`start_server` is a context manager for code that talks to the service and stops it: it
picks a free port, waits until BentoML answers /readyz, and always stops the server and every
process it started (BentoML runs a supervisor and worker processes), even when the caller fails.
`serve_forever` runs the server in the foreground: it passes the signals it gets (Ctrl-C,
SIGTERM from a process manager) to the server's process group, leaves no process of it
behind, and returns the server's exit code.

Both check the version's files against their checksums first (`registry.verify`), so that a
damaged model is refused here, with a message naming the file, before a server starts.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from ..config import DEFAULT_CONFIG, Config
from ..errors import UserError
from . import registry

SERVICE = f"{registry.PACKAGE}.serving.service:ModelService"


class ServerError(UserError, RuntimeError):
    """The server did not start (the message ends with its output) or could not be built."""


class ServerURL(str):
    """The base URL of a server `start_server` started (a `str`), with the id of the server's
    process, `pid` (its process group's too), for a test that needs to crash it."""

    pid: int


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(config: Config, tag: str | None = None) -> dict[str, str]:
    """The environment of a `bentoml` subprocess working on this project.

    The server reads the same configuration file as the caller (`config.source`), and logs
    to the caller's prediction log with the caller's shadow setting, which may differ from
    the file's (the drift demo uses a log of its own).
    """
    env = registry.with_package_path(dict(os.environ))  # BentoML imports the same code
    env.update(registry.bentoml_env(config))
    env["PIPELINE_CONFIG"] = str(Path(config.source or config.root / DEFAULT_CONFIG).resolve())
    env["PREDICTION_LOG"] = str(config.path(config.serving.prediction_log).resolve())
    env["SHADOW_SCORING"] = "1" if config.serving.shadow else "0"
    # A server for the champion follows promotions and rollbacks; one for a version does not.
    env["FOLLOW_CHAMPION"] = "0" if tag is not None else "1"
    if tag is not None:
        env["MODEL_TAG"] = tag
    return env


def bento_env(config: Config, tag: str, **settings: str) -> dict[str, str]:
    """The environment of a server of a bento: the bento's own code (nothing of this
    checkout on PYTHONPATH), the project's store, version `tag`, and `settings`
    (PIPELINE_CONFIG, PREDICTION_LOG, ...) over the caller's."""
    env = {**os.environ, **server_env(config, tag), **settings}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    return env


def _serve_command(port: int, host: str, target: str = SERVICE) -> list[str]:
    return [sys.executable, "-m", "bentoml", "serve", target, "--port", str(port), "--host", host]


def _tail(output: Path, lines: int = 30) -> str:
    text = output.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return "\n".join(text[-lines:]) or "(no output)"


# Seconds a server has to stop after SIGTERM before it is killed.
STOP_GRACE = 10.0


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server: SIGTERM to its process group, SIGKILL after `STOP_GRACE` seconds.

    BentoML's worker starts a session of its own, so it is not in the group: the server's
    descendants are listed first, while they are still its own, and any of them still
    running once the server has stopped (left behind by its supervisor) is killed too.
    """
    if process.poll() is not None:
        return
    started = descendants(process.pid)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        started = _union(started, descendants(process.pid))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    _kill_survivors(started)


# A process: its id, and when it started (so that a reused id is not taken for it).
Process = tuple[int, str]


def descendants(pid: int) -> list[Process]:
    """The processes `pid` started, and theirs, while `pid` runs (once it has ended, they are
    re-parented and no longer found). From /proc on Linux; elsewhere with pgrep."""
    found: list[Process] = []
    for child in _children(pid):
        found += [child, *descendants(child[0])]
    return found


def kill_server(pid: int) -> None:
    """SIGKILL the server `pid` and every process it started, all at once (no shutdown)."""
    for process in [*descendants(pid), (pid, _started(pid))]:
        _kill(process)


def _children(pid: int) -> list[Process]:
    proc = Path("/proc")
    if not proc.is_dir():
        listed = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        return [(int(child), "") for child in listed.stdout.split()]
    found = []
    for stat in proc.glob("[0-9]*/stat"):
        fields = _stat_fields(stat)
        if fields and int(fields[1]) == pid:
            found.append((int(stat.parent.name), fields[19]))
    return found


def _stat_fields(stat: Path) -> list[str]:
    """/proc/<pid>/stat after the command's name: [state, ppid, ...]; starttime is [19]."""
    try:
        return stat.read_text().rpartition(")")[2].split()
    except OSError:  # the process ended meanwhile
        return []


def _started(pid: int) -> str:
    fields = _stat_fields(Path(f"/proc/{pid}/stat"))
    return fields[19] if fields else ""


def _union(first: list[Process], second: list[Process]) -> list[Process]:
    return list(dict.fromkeys([*first, *second]))


def _kill(process: Process) -> None:
    pid, started = process
    if started and _started(pid) != started:
        return  # ended, and its id may belong to another process now
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _kill_survivors(processes: list[Process]) -> None:
    for process in processes:
        _kill(process)


@contextmanager
def start_server(
    config: Config,
    port: int | None = None,
    *,
    timeout: float = 60,
    tag: str | None = None,
    bento: tuple[str, dict[str, str]] | None = None,
) -> Iterator[ServerURL]:
    """Serve the champion (or `tag`) on 127.0.0.1; yield the base URL, stop on exit.

    `bento`: serve this bento instead of the checkout's service, with this environment
    (`bento_env`), from a scratch folder.
    Raises `RegistryError` when there is no model to serve and
    `ServerError`, with the server's last output, when it does not become ready in time.
    """
    registry.verify(config, registry.resolve(config, tag))  # fail here, not in the server
    for attempt in range(1, START_ATTEMPTS + 1):
        chosen = port or free_port()
        url = f"http://127.0.0.1:{chosen}"
        with tempfile.TemporaryDirectory(prefix="bentoml-serve-") as scratch:
            output = Path(scratch) / "server.log"
            with output.open("wb") as sink:
                process = subprocess.Popen(
                    _serve_command(chosen, "127.0.0.1", *([bento[0]] if bento else [])),
                    cwd=scratch if bento else config.root,
                    env=bento[1] if bento else server_env(config, tag),
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, stopped as one
                )
            try:
                try:
                    _wait_until_ready(process, url, timeout, output)
                except ServerError:
                    # BentoML's process manager binds ports of its own, picked at random;
                    # another process may take one between the pick and the bind. Only that
                    # race is retried, on new ports.
                    if attempt < START_ATTEMPTS and _lost_a_port_race(process, output):
                        continue
                    raise
                started = ServerURL(url)
                started.pid = process.pid
                yield started
                return
            finally:
                _stop(process)


# Starts tried when the server loses a race for a port (see `start_server`).
START_ATTEMPTS = 3


def _lost_a_port_race(process: subprocess.Popen[bytes], output: Path) -> bool:
    return process.poll() is not None and "Address already in use" in _tail(output)


def _wait_until_ready(
    process: subprocess.Popen[bytes], url: str, timeout: float, output: Path
) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerError(
                    f"the server exited with code {process.returncode} before it was ready:\n"
                    f"{_tail(output)}"
                )
            try:
                if client.get(f"{url}/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.2)
    raise ServerError(f"the server was not ready at {url} within {timeout:g} s:\n{_tail(output)}")


def serve_forever(
    config: Config,
    port: int = 3000,
    *,
    host: str = "127.0.0.1",
    tag: str | None = None,
) -> int:
    """Serve in the foreground until interrupted; return the server's exit code.

    `host="0.0.0.0"` listens on every interface, as a container needs. The server runs in a
    process group of its own: SIGINT, SIGTERM and SIGHUP sent to this process are passed on
    to the whole group (BentoML's supervisor), and if the server has not stopped
    `STOP_GRACE` seconds after that, it is killed with every process it started (its worker
    runs in a session of its own); so is a worker left running by its supervisor. A server
    killed by a signal returns 128 plus the signal's number, as a shell reports it.
    """
    registry.verify(config, registry.resolve(config, tag))
    process = subprocess.Popen(
        _serve_command(port, host),
        cwd=config.root,
        env=server_env(config, tag),
        start_new_session=True,  # its own process group, signalled and stopped as one
    )
    deadline: list[float] = []

    def forward(signum: int, _frame: object) -> None:
        deadline.append(time.monotonic() + STOP_GRACE)
        _signal_group(process, signum)

    forwarded = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, forward) for signum in forwarded}
    started: list[Process] = []  # its processes, listed now and then: see `_stop`
    listed_at = 0.0
    try:
        while process.poll() is None:
            if time.monotonic() - listed_at > 5 or deadline:
                started = _union(started, descendants(process.pid))
                listed_at = time.monotonic()
            if deadline and time.monotonic() > deadline[0]:
                kill_server(process.pid)
            time.sleep(0.2)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _stop(process)
        _kill_survivors(started)  # any worker its supervisor left behind
    code = process.returncode
    return 128 - code if code < 0 else code


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Send `signum` to the server's process group, if any process of it is left."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def build_bento(config: Config, *, tag: str | None = None, context: Path | None = None) -> str:
    """Build a bento of the champion (or `tag`) with bentofile.yaml; return the bento's tag.

    The bento holds the service code and the configuration, and refers to the model, which
    `bentoml containerize <tag>` copies into the image along with MODEL_TAG and
    PIPELINE_CONFIG as environment variables. Both are kept in the project's store: list
    them with `BENTOML_HOME=.bentoml bentoml list`. To serve the bento without an image,
    give the same variables: `MODEL_TAG=<model tag> bentoml serve <bento tag>` (a local
    `bentoml serve` takes environment values from the shell, not from the bento).
    """
    resolved = registry.resolve(config, tag)
    registry.model_path(config, resolved)
    context = config.root if context is None else context
    bentofile = context / "bentofile.yaml"
    if not bentofile.is_file():
        raise ServerError(f"{bentofile} not found: `bentoml build` needs it to know what to pack")
    command = [sys.executable, "-m", "bentoml", "build", str(context), "-f", str(bentofile)]
    result = subprocess.run(
        [*command, "--output", "tag"],
        cwd=context,
        env=server_env(config, resolved),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()
        raise ServerError("bentoml build failed:\n" + "\n".join(output[-30:]))
    # With `-o tag`, the last line is `__tag__:<name>:<version>`.
    lines = [line for line in result.stdout.splitlines() if line.startswith("__tag__:")]
    if not lines:
        raise ServerError(f"bentoml build printed no tag:\n{result.stdout[-2000:]}")
    return lines[-1].removeprefix("__tag__:")
