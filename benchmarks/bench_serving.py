"""Benchmark: the generated service under load, as a ladder that separates the costs.

For each available use case: generate the project, run its pipeline at the given size,
simulate a production period, and replay 2,000 of its rows with `wrk` (8 connections) on
loopback, one rung after the other in the same run:

1. model only: a minimal FastAPI service that validates the request and has the model
   predict one fixed row (fastapi_baseline.py --model-only): the framework and the model;
2. same features: the same minimal service computing the row's features as the generated
   service does (`online_inputs`, no pandas): adds the pipeline's cost;
3. the generated BentoML service, one worker (`serve`): validation, features, xgboost, the
   answer, the durable SQLite log and the metrics on every request;
4. with `--scale`, the BentoML service with 2 and 4 workers, the features' state in Redis
   and the log in PostgreSQL (servers started from the project's tests/local_servers.py):
   the cost of sharing, and the scaling.

Servers are pinned with taskset to every core but the last, wrk to the last one (on a
2-core machine, the server gets one core: workers then share it, and the rung shows what
sharing costs, not how it scales; the scaling needs 3 cores or more).

With `--profile`, py-spy (installed into the project environment) samples the one-worker rung
while wrk runs, and the run prints the frames that hold the most samples, inclusive.

Aims (issue 16): one worker at least 300 req/s for fraud and ride pricing, 200 for
readmission; p99 under 25 ms at 8 connections; zero non-2xx; at least 0.7 of rung 2.
Figures are printed, nothing is asserted. Needs `wrk` (`make bench` installs it) and
`taskset`; installs fastapi into the shared project environment; `--scale` needs
redis-server and PostgreSQL (Debian: redis-server, postgresql).

    .venv/bin/python benchmarks/bench_serving.py [--seconds 20] [--size medium] [--use-case X]
        [--scale] [--profile]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import support  # noqa: E402

from generator import create_project, list_use_cases  # noqa: E402

CONNECTIONS = 8
REPLAYED_ROWS = 2000
# The last core runs wrk; the servers get the others (one, on a 2-core machine).
CORES = os.cpu_count() or 1
WRK_CORE = str(CORES - 1)
SERVER_CORES = f"0-{CORES - 2}" if CORES > 2 else "0"
# Started in the project's environment: a PostgreSQL and a Redis of the benchmark's own
# (the project's tests/local_servers.py), their URLs printed, stopped when stdin closes.
SERVERS = """
import sys
sys.path.insert(0, "tests")
from local_servers import postgres_server, redis_server
with postgres_server() as postgres, redis_server() as redis_url:
    print(postgres.new_database().render_as_string(hide_password=False), redis_url, flush=True)
    sys.stdin.read()
"""

# Each request is a new row: the service answers a repeated id from its log without scoring
# it, and refuses a row dated before its entity's latest event, so replaying the same rows
# would measure neither. Request n of a wrk run started with offset k (`wrk(..., offset=k)`,
# passed after `--`) gets the id "bench-(k+n)" and, where the rows have a time, the time
# `start` + k + n seconds. Runs share the project's log (and, scaled out, one database and
# one store), so each run starts where the previous ones ended: new ids, later times.
# `start` is the first production row's time: right after the training data, so within a
# forecast's horizon and after every entity's history.
LUA = """
local bodies = %s
local start = %d
local offset = 0
local n = 0
function init(args)
  offset = tonumber(args[1]) or 0
end
request = function()
  n = n + 1
  local k = offset + n
  local body = bodies[(n - 1) %% #bodies + 1]
  body = string.gsub(body, '"__ID__"', '"bench-' .. k .. '"')
  local time = os.date("!%%Y-%%m-%%dT%%H:%%M:%%S", start + k)
  body = string.gsub(body, '"__TIME__"', '"' .. time .. '"')
  return wrk.format("POST", "/predict", {["Content-Type"] = "application/json"}, body)
end
"""


@contextmanager
def server(command: list[str], cwd: Path, env: dict[str, str], port: int, probe: str):
    """Start a server pinned to SERVER_CORES; wait until `probe` answers 200; stop it after."""
    process = subprocess.Popen(
        ["taskset", "-c", SERVER_CORES, *command],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=5):
                    break
            except OSError:  # refused, reset or timed out while it starts
                time.sleep(0.5)
        else:
            raise RuntimeError("server did not start within 120 s")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        subprocess.run(["pkill", "-TERM", "-s", str(process.pid)], check=False)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            subprocess.run(["pkill", "-KILL", "-s", str(process.pid)], check=False)


def wrk(url: str, script: Path, seconds: int, offset: int) -> dict[str, float]:
    """Run wrk on WRK_CORE, its requests numbered from `offset` (see LUA); parse throughput,
    latency percentiles, non-2xx answers and how many requests it sent."""
    command = ["taskset", "-c", WRK_CORE, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    result = subprocess.run(
        [*command, "--latency", "-s", str(script), url, "--", str(offset)],
        capture_output=True,
        text=True,
        check=True,
    )
    text = result.stdout

    def millis(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50_ms": millis("50"),
        "p99_ms": millis("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else "none",
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
    }


def bench(
    use_case: str, size: str, seconds: int, python: Path, *, scale: bool, profile: bool
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = create_project(use_case, Path(scratch) / "bench")
        env = support.project_env(project.path, python)
        package = project.package_name
        support.run(["make", f"PYTHON={python}", "pipeline", f"SIZE={size}"], project.path, env)
        cli = [str(python), "-m", package]
        support.run([*cli, "simulate", "--size", size, "--production"], project.path, env)

        replay = f"""
import json, sys
from {package}.config import load_config
from {package}.core.data import load_dataset
from {package}.jobs.batch import request_rows
config = load_config("config/pipeline.yaml")
frame = load_dataset(config, "data/production.csv", require_target=False).head({REPLAYED_ROWS})
rows = request_rows(frame, config)
time_column, id_column = config.data.time_column, config.data.id_column
start = 0
if time_column:
    start = int(frame[time_column].min().timestamp())
for row in rows:
    row.update({{name: placeholder for name, placeholder in
                ((id_column, "__ID__"), (time_column, "__TIME__")) if name}})
print(json.dumps({{"start": start, "bodies": [json.dumps(row) for row in rows]}}))
"""
        output = support.run([str(python), "-c", replay], project.path, env)
        replayed = json.loads(output.strip().splitlines()[-1])
        bodies = "{" + ", ".join(json.dumps(body) for body in replayed["bodies"]) + "}"
        lua = Path(scratch) / "replay.lua"
        lua.write_text(LUA % (bodies, replayed["start"]))

        bundle = next((project.path / ".bentoml" / "models").glob("*/*/model.ubj")).parent
        baseline = [str(python), str(HERE / "fastapi_baseline.py"), package, str(bundle)]
        results: dict[str, dict[str, float]] = {}
        samples = Path(scratch) / "profile.txt"
        sent = [0]  # requests sent by the runs so far: the next run's offset

        def run_wrk(url: str, run_seconds: int) -> dict[str, float]:
            figures = wrk(f"{url}/predict", lua, run_seconds, sent[0])
            sent[0] += figures["requests"] + 10 * CONNECTIONS  # and those still in flight
            return figures

        def rung(name: str, command: Callable[[int], list[str]], extra: dict[str, str]) -> None:
            port = support.free_port()
            probe = "/readyz" if "serve" in command(port) else "/docs"
            with server(command(port), project.path, {**env, **extra}, port, probe) as (url, pid):
                run_wrk(url, 3)  # warm-up
                sampling = None
                if profile and name == "bentoml 1 worker":
                    sampling = subprocess.Popen(
                        [
                            str(python.parent / "py-spy"),
                            "record",
                            "--nonblocking",
                            "--rate",
                            "200",
                            "--subprocesses",
                            "--pid",
                            str(pid),
                            "--duration",
                            str(seconds),
                            "--format",
                            "raw",
                            "--output",
                            str(samples),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=(Path(scratch) / "py-spy.log").open("w"),
                    )
                results[name] = run_wrk(url, seconds)
                if sampling is not None:
                    sampling.wait(timeout=60)

        def serve(port: int) -> list[str]:
            return [*cli, "serve", "--port", str(port)]

        rung("model only", lambda port: [*baseline, str(port), "--model-only"], {})
        rung("same features", lambda port: [*baseline, str(port)], {})
        rung("bentoml 1 worker", serve, {})
        if scale:
            with shared_servers(python, project.path, env) as (log_url, store_url):
                if log_url is None:
                    print(f"  (no scaled-out rungs: {store_url})")
                else:
                    shared = {"PREDICTION_LOG_URL": log_url, "ONLINE_STORE_URL": store_url}
                    seed = [*cli, "seed-online-store", "--replace"]
                    support.run(seed, project.path, {**env, **shared})
                    for workers in (2, 4):
                        extra = {**shared, "SERVICE_WORKERS": str(workers)}
                        rung(f"bentoml {workers} workers", serve, extra)
        profiled = profile_summary(samples) if profile else []  # before the folder goes

    print(f"\n## {use_case}: wrk -c{CONNECTIONS} for {seconds} s on loopback")
    print(f"  server on cores {SERVER_CORES}, wrk on core {WRK_CORE}")
    print(f"  {'rung':18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}  socket errors")
    for name, figures in results.items():
        print(
            f"  {name:18} {figures['requests_per_second']:8.0f} {figures['p50_ms']:8.2f} "
            f"{figures['p99_ms']:8.2f} {figures['non_2xx']:8d}  {figures['socket_errors']}"
        )
    one = results["bentoml 1 worker"]["requests_per_second"]
    same = results["same features"]["requests_per_second"]
    model = results["model only"]["requests_per_second"]
    print(f"  same features / model only = {same / model:.2f} (the pipeline's cost)")
    print(f"  bentoml 1 worker / same features = {one / same:.2f} (aim: at least 0.7)")
    print(f"  bentoml 1 worker p99 = {results['bentoml 1 worker']['p99_ms']:.1f} ms (aim: < 25)")
    for workers in (2, 4):
        name = f"bentoml {workers} workers"
        if name in results:
            ratio = results[name]["requests_per_second"] / one
            print(f"  {workers} workers / 1 worker = {ratio:.2f}")
    for line in profiled:
        print(line)


# Frames that only start the process, its threads or its event loop: left out of the profile.
ROOT_FRAMES = (
    "process ",
    "thread ",
    "<frozen runpy>",
    "click/core.py",
    "_bentoml_impl/worker/service.py",
    "uvicorn/server.py",
    "uvicorn/_compat.py",
    "asyncio/runners.py",
    "asyncio/base_events.py",
    "threading.py",
)


def profile_summary(samples: Path, top: int = 30) -> list[str]:
    """The frames holding the most of py-spy's samples (inclusive), without those in
    nearly every sample (the process, the thread, the event loop's run)."""
    if not samples.is_file() or not samples.stat().st_size:
        said = samples.with_name("py-spy.log")
        why = said.read_text().strip().splitlines()[-3:] if said.is_file() else []
        return [f"  (no profile: py-spy recorded nothing; it said: {' / '.join(why)})"]
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in samples.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        total += int(count)
        frames = {re.sub(r" \((.*?)(:\d+)?\)$", r" (\1)", frame) for frame in stack.split(";")}
        for frame in frames:
            inclusive[frame] += int(count)
    shown = [
        (frame, count)
        for frame, count in inclusive.most_common()
        if count < 0.9 * total and not any(root in frame for root in ROOT_FRAMES)
    ]
    return [
        f"  profile of bentoml 1 worker: {total} samples at 200 Hz, inclusive share",
        *(f"  {100 * count / total:5.1f}%  {frame[:110]}" for frame, count in shown[:top]),
    ]


@contextmanager
def shared_servers(python: Path, project: Path, env: dict[str, str]):
    """(log URL, store URL) of a PostgreSQL and a Redis started for the benchmark, or
    (None, why not) where they cannot be started; stopped on exit."""
    process = subprocess.Popen(
        [str(python), "-c", SERVERS],
        cwd=project,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().split()
    try:
        if len(line) == 2:
            yield line[0], line[1]
        else:
            process.wait(timeout=60)
            reason = process.stderr.read().strip().splitlines()
            yield None, reason[-1] if reason else "the servers did not start"
    finally:
        if process.poll() is None:
            process.stdin.close()
            process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--size", default="medium")
    parser.add_argument(
        "--use-case", action="append", help="Only this use case (repeatable); default all."
    )
    parser.add_argument(
        "--scale", action="store_true", help="Also 2 and 4 workers on Redis and PostgreSQL."
    )
    parser.add_argument(
        "--profile", action="store_true", help="Sample the one-worker rung with py-spy."
    )
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: run `make bench`, which installs wrk")
    python = support.shared_python()
    install = [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python)]
    support.run(
        [*install, "fastapi", *(["py-spy"] if args.profile else [])], HERE, dict(os.environ)
    )
    for use_case in list_use_cases():
        if use_case.available and (not args.use_case or use_case.name in args.use_case):
            bench(
                use_case.name,
                args.size,
                args.seconds,
                python,
                scale=args.scale,
                profile=args.profile,
            )


if __name__ == "__main__":
    main()
