"""How fast the registry's commands start: `models`, `promote` and `rollback` against `--help`.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_cold_start.py [--runs 7]

Generates a fraud-detection project into a temporary folder and, in the shared environment of
generated projects (tests/support.py), gets a real champion: simulate (small), train,
evaluate, infra-validate, promote. It then registers the champion's files again as a second
version, gated against the champion, with the champion's two blessings (they are for these
very model files), so that `promote <second>` and `rollback` both move the champion.

Each command runs N times, `python -m <package> ...` in a fresh interpreter each, `promote`
and `rollback` in turn; it prints the median wall time of each and its ratio to `--help`'s
measured in the same run, with the project's configuration (tracking in MLflow, the default:
`promote` and `rollback` move MLflow's alias too) and with `tracking.backend: none`. Every
promotion checks the version's files and loads it once in a child process, as it must.
Aim (the cold-start issue): `models`, `promote` and `rollback` within 1.0 s. Nothing is
asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import support

from generator import create_project

# Run in the project: the champion's files registered again as a new version, gated
# against the champion, with its blessings; prints the new version's tag after MARKER.
SECOND_VERSION = """
import json, shutil
from {package}.adapters import registry
from {package}.config import load_config
from {package}.core.blessing import INFRA_BLESSING

config = load_config("config/pipeline.yaml")
champion = registry.champion_tag(config)
folder = registry.model_path(config, champion)
metadata = json.loads((folder / registry.METADATA_FILE).read_text())
metadata.pop("version")
metadata["evaluation"]["gate"]["champion_compared"] = champion
tag = registry.register(config, folder, metadata)
shutil.copytree(
    registry.infra_blessing_home(config, champion) / INFRA_BLESSING,
    registry.infra_blessing_home(config, tag) / INFRA_BLESSING,
)
print({marker!r}, tag)
"""
MARKER = "second version:"
NO_TRACKING = "config/no-tracking.yaml"


def seconds(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    support.run(command, cwd, env)  # raises, with the output, if the command fails
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    options = parser.parse_args()
    python = support.shared_python()
    with tempfile.TemporaryDirectory() as folder:
        project = create_project("fraud-detection", Path(folder) / "project")
        root, package = project.path, project.package_name
        env = support.project_env(root, python)
        cli = [str(python), "-m", package]
        for step in (["simulate", "--size", "small"], ["train"], ["evaluate"]):
            support.run([*cli, *step], root, env)
        support.run([*cli, "infra-validate"], root, env)
        support.run([*cli, "promote"], root, env)
        code = SECOND_VERSION.format(package=package, marker=MARKER)
        output = support.run([str(python), "-c", code], root, env).splitlines()
        second = next(line.split()[-1] for line in output if line.startswith(MARKER))
        pipeline = (root / "config" / "pipeline.yaml").read_text()
        assert "\ntracking:" not in pipeline, "the configuration names tracking: update this"
        (root / NO_TRACKING).write_text(f"{pipeline}\ntracking:\n  backend: none\n")

        commands = {
            "--help": ["--help"],
            "models": ["models"],
            "promote <tag>": ["promote", second],
            "rollback": ["rollback"],
            "promote <tag>, no tracking": ["promote", second, "--config", NO_TRACKING],
            "rollback, no tracking": ["rollback", "--config", NO_TRACKING],
        }
        # Once untimed: MLflow mirrors the second version on its first promotion.
        for args in commands.values():
            seconds([*cli, *args], root, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(options.runs):
            for name, args in commands.items():  # promote, then rollback: each moves the champion
                times[name].append(seconds([*cli, *args], root, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"median of {options.runs} runs, a fresh interpreter each")
    print(f"{'':28} {'seconds':>8} {'/ --help':>9}")
    for name, median in medians.items():
        print(f"{name:28} {median:>8.2f} {median / medians['--help']:>9.1f}")


if __name__ == "__main__":
    main()
