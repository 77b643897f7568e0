"""What a generated project's environment weighs and how fast its commands start, before and
after a change of its dependencies.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_footprint.py [--before REV] [--runs 7]

Builds (or reuses, under .cache/) one environment from the generated projects' lock as it is
now and one from the lock at git revision REV (default: the commit before the lock last
changed), both as `make setup` installs them, and generates a fraud-detection project. For
each environment it prints the installed size and the median wall time of commands that log
nothing, in a fresh interpreter each: `--help`, `models` (the registry's list; no model yet)
and a bare `import` of the package's CLI. Then the ratios after/before, measured in the same
run on the same machine. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import support  # noqa: E402

from generator import create_project  # noqa: E402

LOCK_PATH = "templates/project/requirements.lock"


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


def environment(lock: str) -> Path:
    """The Python of an environment installed from `lock` (kept under .cache/)."""
    key = hashlib.sha256(f"{sys.version}\n{lock}".encode()).hexdigest()[:12]
    venv = support.CACHE / f"footprint-env-{key}"
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", suffix=".lock", delete=False) as handle:
            handle.write(lock)
        uv = [sys.executable, "-m", "uv"]
        subprocess.run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
        install = [*uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python)]
        subprocess.run([*install, "--require-hashes", "-r", handle.name], check=True)
        os.unlink(handle.name)
        (venv / ".complete").touch()
    return python


def size_mb(venv: Path) -> float:
    total = sum(path.stat().st_size for path in venv.rglob("*") if path.is_file())
    return total / 1e6


def median_seconds(command: list[str], cwd: Path, env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        # `models` before any training says so and exits 1: a start-up all the same.
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="git revision of the lock to compare with")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    options = parser.parse_args()
    before_rev = options.before
    if before_rev is None:
        last_change = git("log", "-1", "--format=%H", "--", LOCK_PATH).strip()
        before_rev = f"{last_change}~1"
    locks = {
        "before": git("show", f"{before_rev}:{LOCK_PATH}"),
        "after": (REPO / LOCK_PATH).read_text(),
    }
    print(f"before: the lock at {before_rev}; after: the lock in the working tree")
    with tempfile.TemporaryDirectory() as folder:
        project = create_project("fraud-detection", Path(folder) / "project")
        figures: dict[str, dict[str, float]] = {}
        for label, lock in locks.items():
            python = environment(lock)
            env = support.project_env(project.path, python)
            package = project.package_name
            commands = {
                "--help": [str(python), "-m", package, "--help"],
                "models": [str(python), "-m", package, "models"],
                "import cli": [str(python), "-c", f"import {package}.cli"],
            }
            figures[label] = {"size MB": size_mb(python.parent.parent)}
            for name, command in commands.items():
                figures[label][name] = median_seconds(command, project.path, env, options.runs)
    print(f"{'':12} {'before':>10} {'after':>10} {'after/before':>13}")
    for name in figures["before"]:
        before, after = figures["before"][name], figures["after"][name]
        unit = "" if name == "size MB" else " s"
        print(f"{name:12} {before:>8.2f}{unit:2} {after:>8.2f}{unit:2} {after / before:>12.2f}")


if __name__ == "__main__":
    main()
