"""Benchmark: the closed-loop drift demo per use case, and how much of it is Evidently's own.

For each available use case, generates the project into a temporary folder and runs
`python -m <package> drift-demo --size medium` (what `make drift-demo` runs) in the shared
environment of generated projects (tests/support.py), and measures:

- the demo's wall time, and each of its steps: the time from one step header
  (`== N. title  [M.M min]`) to the next, taken as the lines are printed; the demo's own
  marks (0.1 min resolution) are shown beside them as a check;
- Evidently's time inside the monitoring step, from its summary.json: `import evidently`,
  the runs of the drift and quality reports, and save_html;
- the baseline, in the same run and environment: a cold `import evidently` in a fresh
  interpreter, minus the interpreter's bare start-up (median of 5 each).

Reading the ratios: Evidently's share is its import + runs + save_html over the demo's wall
time. The import ratio is the demo's import of Evidently over the cold one: below 1, the demo
had already imported part of what Evidently needs (pandas, scipy, scikit-learn, ...) and paid
only the rest; near 1, Evidently costs the demo what it costs alone. Figures are printed,
nothing is asserted; the exit code is non-zero if a demo fails.

    .venv/bin/python benchmarks/bench_loop.py [--use-case X] [--size small|medium]
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import support

from generator import create_project, list_use_cases

STEP = re.compile(r"^== (\d+\. .*?)  \[(\d+\.\d) min\]$")
IMPORT_RUNS = 5
TIMEOUT_SECONDS = 1800


class DemoFailed(Exception):
    """The demo exited non-zero or printed no steps; the message ends with its output."""


def run_demo(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, list, float]:
    """Run the demo; its wall time, its steps (title, seconds when printed, mark in minutes),
    and the seconds at which it printed 'Done in'."""
    began = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    # On timeout, Ctrl-C first, so the demo stops the server it started; then kill.
    stoppers = [
        threading.Timer(TIMEOUT_SECONDS, process.send_signal, [signal.SIGINT]),
        threading.Timer(TIMEOUT_SECONDS + 60, process.kill),
    ]
    for stopper in stoppers:
        stopper.start()
    lines, steps, done = [], [], None
    try:
        with process:
            for line in process.stdout:
                lines.append(line)
                now = time.perf_counter() - began
                if match := STEP.match(line.rstrip("\n")):
                    steps.append((match[1], now, float(match[2])))
                elif line.startswith("Done in"):
                    done = now
    finally:
        for stopper in stoppers:
            stopper.cancel()
    wall = time.perf_counter() - began
    if process.returncode != 0 or not steps or done is None:
        tail = "".join(lines)[-6000:]
        raise DemoFailed(f"{' '.join(command)} exited {process.returncode}:\n{tail}")
    return wall, steps, done


def cold_import(python: Path, cwd: Path, env: dict[str, str]) -> float:
    """Median seconds of `import evidently` in a fresh interpreter, minus the bare start-up."""

    def seconds(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([str(python), "-c", code], cwd=cwd, env=env, check=True)
        return time.perf_counter() - start

    startup = statistics.median(seconds("pass") for _ in range(IMPORT_RUNS))
    return statistics.median(seconds("import evidently") for _ in range(IMPORT_RUNS)) - startup


def bench(use_case: str, size: str, python: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        project = create_project(use_case, Path(scratch) / "bench")
        env = support.project_env(project.path, python)
        env["BENTOML_HOME"] = str(project.path / ".bentoml")
        env["PYTHONUNBUFFERED"] = "1"  # lines arrive when printed: the step times rely on it
        command = [str(python), "-m", project.package_name, "drift-demo", "--size", size]
        wall, steps, done = run_demo(command, project.path, env)
        summary = project.path / "drift-demo" / "reports" / "monitoring" / "summary.json"
        timings = json.loads(summary.read_text())["timings_seconds"]
        cold = cold_import(python, project.path, env)

    ends = [start for _, start, _ in steps[1:]] + [done]
    width = max(len(title) for title, _, _ in steps)
    print(f"\n## {use_case}: drift demo at size '{size}', {wall / 60:.1f} min wall ({wall:.1f} s)")
    print(f"  {'step':{width}} {'s':>7} {'mark min':>9}")
    print(f"  {'start-up (imports, before step 1)':{width}} {steps[0][1]:7.1f}")
    for (title, start, mark), end in zip(steps, ends, strict=True):
        print(f"  {title:{width}} {end - start:7.1f} {mark:9.1f}")
    print(f"  {'after the last step (index, exit)':{width}} {wall - done:7.1f}")

    imported = timings["import_evidently"]
    runs = timings["drift_run"] + timings.get("quality_run", 0.0)
    share = timings["evidently"] / wall
    print(f"  Evidently, in the monitoring step ({timings['total']:.1f} s in all):")
    print(f"    import     {imported:6.2f} s   cold `import evidently` alone: {cold:.2f} s")
    print(
        f"    run        {runs:6.2f} s   (drift {timings['drift_run']:.2f}"
        f" + quality {timings.get('quality_run', 0.0):.2f})"
    )
    print(f"    save_html  {timings['save_html']:6.2f} s")
    print(f"    total      {timings['evidently']:6.2f} s = {share:.1%} of the demo")
    print(f"  import ratio in demo / cold = {imported / cold:.2f} (below 1: partly paid before)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", help="simulated data size (default: medium)")
    parser.add_argument(
        "--use-case", action="append", help="Only this use case (repeatable); default all."
    )
    args = parser.parse_args()
    python = support.shared_python()
    failed = []
    for use_case in list_use_cases():
        if use_case.available and (not args.use_case or use_case.name in args.use_case):
            try:
                bench(use_case.name, args.size, python)
            except DemoFailed as error:
                print(f"\n## {use_case.name}: the drift demo failed\n{error}", file=sys.stderr)
                failed.append(use_case.name)
    if failed:
        sys.exit(f"drift demo failed for: {', '.join(failed)}")


if __name__ == "__main__":
    main()
