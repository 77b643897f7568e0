"""Benchmark: the generated BentoML service under load, against a minimal FastAPI service.

For each available use case: generate the project, run its pipeline at the default size,
simulate a production period, and replay 2,000 of its rows with `wrk` (8 connections) on
loopback against

1. the project's BentoML service (`python -m <package> serve`): validation, features,
   xgboost, decision and the durable SQLite prediction log on every request;
2. a minimal FastAPI + xgboost service on the same model and features (fastapi_baseline.py),

one after the other in the same run, the server pinned to core 0 and wrk to core 1.

Aims (issue 2): throughput at least 0.7 of the baseline's, p99 under 25 ms at 8 connections,
zero non-2xx answers. Figures are printed, nothing is asserted. Needs `wrk` (`make bench`
installs it) and `taskset`; installs fastapi into the shared project environment.

    .venv/bin/python benchmarks/bench_serving.py [--seconds 20] [--size medium] [--use-case X]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import support  # noqa: E402

from generator import create_project, list_use_cases  # noqa: E402

CONNECTIONS = 8
REPLAYED_ROWS = 2000

# Each request is a new row: the service answers a repeated id from its log without scoring
# it, and refuses a row dated before its entity's latest event, so replaying the same rows
# would measure neither. Request n gets the id "bench-n" and, where the rows have a time,
# the time `start` + n seconds (after every replayed row's own time).
LUA = """
local bodies = %s
local start = %d
local n = 0
request = function()
  n = n + 1
  local body = bodies[(n - 1) %% #bodies + 1]
  body = string.gsub(body, '"__ID__"', '"bench-' .. n .. '"')
  local time = os.date("!%%Y-%%m-%%dT%%H:%%M:%%S", start + n)
  body = string.gsub(body, '"__TIME__"', '"' .. time .. '"')
  return wrk.format("POST", "/predict", {["Content-Type"] = "application/json"}, body)
end
"""


@contextmanager
def server(command: list[str], cwd: Path, env: dict[str, str], port: int, probe: str):
    """Start a server pinned to core 0; wait until `probe` answers 200; stop it afterwards."""
    process = subprocess.Popen(
        ["taskset", "-c", "0", *command],
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
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run(["pkill", "-TERM", "-s", str(process.pid)], check=False)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            subprocess.run(["pkill", "-KILL", "-s", str(process.pid)], check=False)


def wrk(url: str, script: Path, seconds: int) -> dict[str, float]:
    """Run wrk on core 1; parse throughput, latency percentiles and non-2xx answers."""
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    result = subprocess.run(
        [*command, "--latency", "-s", str(script), url], capture_output=True, text=True, check=True
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
    }


def bench(use_case: str, size: str, seconds: int, python: Path) -> None:
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
    start = int(frame[time_column].max().timestamp()) + 86400
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

        results = {}
        port = support.free_port()
        serve = [*cli, "serve", "--port", str(port)]
        with server(serve, project.path, env, port, "/readyz") as url:
            wrk(f"{url}/predict", lua, 3)  # warm-up
            results["bentoml"] = wrk(f"{url}/predict", lua, seconds)

        bundle = next((project.path / ".bentoml" / "models").glob("*/*/model.ubj")).parent
        port = support.free_port()
        baseline = [str(python), str(HERE / "fastapi_baseline.py"), package, str(bundle), str(port)]
        with server(baseline, project.path, env, port, "/docs") as url:
            wrk(f"{url}/predict", lua, 3)
            results["fastapi"] = wrk(f"{url}/predict", lua, seconds)

    print(f"\n## {use_case}: wrk -c{CONNECTIONS} for {seconds} s on loopback")
    print(f"  {'service':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}  socket errors")
    for name, figures in results.items():
        print(
            f"  {name:8} {figures['requests_per_second']:8.0f} {figures['p50_ms']:8.2f} "
            f"{figures['p99_ms']:8.2f} {figures['non_2xx']:8d}  {figures['socket_errors']}"
        )
    ratio = results["bentoml"]["requests_per_second"] / results["fastapi"]["requests_per_second"]
    print(f"  throughput ratio bentoml / fastapi = {ratio:.2f} (aim: at least 0.7)")
    print(f"  bentoml p99 = {results['bentoml']['p99_ms']:.1f} ms (aim: under 25 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--size", default="medium")
    parser.add_argument(
        "--use-case", action="append", help="Only this use case (repeatable); default all."
    )
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: run `make bench`, which installs wrk")
    python = support.shared_python()
    install = [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python)]
    support.run([*install, "fastapi"], HERE, dict(os.environ))
    for use_case in list_use_cases():
        if use_case.available and (not args.use_case or use_case.name in args.use_case):
            bench(use_case.name, args.size, args.seconds, python)


if __name__ == "__main__":
    main()
