"""How long `mlops-new <use-case> DEST` takes: `create_project` timed N times.

Run on demand (not a test): `python benchmarks/bench_generate.py [--runs 20] [--use-case X]`.
It prints the median and 90th percentile wall time of one generation, the time of
`import copier` alone in a fresh interpreter (the floor a first generation pays, measured in
the same run so both figures share the machine's current load), and whether the aim holds:
one generation, imports included, under 1 s.

The template is rendered from wherever `generator` finds it: from a git checkout that means
copier's clone of the working tree (uncommitted changes included), from an installed wheel a
plain directory.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AIM_SECONDS = 1.0


def time_import_copier(runs: int) -> float:
    """Median seconds of `import copier` in a fresh interpreter, minus the bare startup."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    startup = statistics.median(run("pass") for _ in range(runs))
    with_copier = statistics.median(run("import copier") for _ in range(runs))
    return with_copier - startup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="generations to time")
    parser.add_argument("--use-case", default="fraud-detection")
    args = parser.parse_args()

    start = time.perf_counter()
    from generator import create_project
    from generator.template import is_git_checkout, template_root

    import_generator = time.perf_counter() - start

    durations = []
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
        for run in range(args.runs + 1):
            destination = Path(tmp) / f"project-{run}"
            start = time.perf_counter()
            project = create_project(args.use_case, destination)
            elapsed = time.perf_counter() - start
            if run == 0:
                first = elapsed  # includes importing copier, jinja2, pydantic, ...
                files = len(project.files)
            else:
                durations.append(elapsed)

    root = template_root()
    copier_import = time_import_copier(runs=5)
    durations.sort()
    median = statistics.median(durations)
    p90 = durations[min(len(durations) - 1, round(0.9 * (len(durations) - 1)))]

    print(f"template: {root} ({'git checkout' if is_git_checkout(root) else 'plain folder'})")
    print(f"use case: {args.use_case}, {files} files, {args.runs} timed runs")
    print(f"import generator:            {import_generator * 1000:7.0f} ms")
    print(f"first generation (cold):     {first * 1000:7.0f} ms  (imports copier)")
    print(f"generation, median:          {median * 1000:7.0f} ms")
    print(f"generation, p90:             {p90 * 1000:7.0f} ms")
    print(f"baseline, `import copier`:   {copier_import * 1000:7.0f} ms  (fresh interpreter)")
    total = import_generator + first
    verdict = "met" if total < AIM_SECONDS else "missed"
    print(
        f"aim: one generation under {AIM_SECONDS:.0f} s, imports included: {total:.2f} s, {verdict}"
    )


if __name__ == "__main__":
    main()
