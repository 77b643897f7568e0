"""Copier migration, before updating past 0.1.0: the package's modules moved into layers.

Version 0.1.0 generated a flat package (`src/<package>/train.py`, ...); later versions group
the modules by responsibility (`domain/`, `task/`, `core/`, `adapters/`, `jobs/`, `serving/`;
see docs/design.md). Copier knows nothing of moves: left alone, a project would keep its old
modules beside the new ones, and the edits made to them would not reach the new files.

Before copier compares the versions, this script looks at every module that moved:

- unchanged since it was generated (compared with the old version rendered with the project's
  answers): removed, since the new version writes its successor;
- edited: moved to its new path with `git mv`, so that copier shows the edits against the new
  version there, as a conflict for the user to resolve (never dropped). The moves are recorded
  in git's folder (`MOVES_RECORD`): `mlops-new update` then merges each edited module three
  ways (the old module as generated, as edited, and the new one), so that only the edits
  that collide with the new version remain to resolve;
- deleted by the user, or with its new path already taken: left as it is.

It also names the project's own Python files (those the template did not generate) that
import a moved module, with the new name: they are the user's to change.

Copier runs it with its own Python (`_copier_python`), so copier is importable, in the
project's folder: `python migrations/layers.py`. The package's name and the version to compare
with come from the project's answers file (copier has not read the answers yet when it runs
migrations `before` an update, so the command cannot pass them).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import copier
import yaml

# Module of 0.1.0 -> its path under src/<package>/ from the next version on.
MOVES = {
    "simulate.py": "domain/simulate.py",
    "features.py": "domain/features.py",
    "metrics.py": "task/metrics.py",
    "schema.py": "core/schema.py",
    "data.py": "core/data.py",
    "pipeline.py": "core/bundle.py",
    "registry.py": "adapters/registry.py",
    "predlog.py": "adapters/predlog.py",
    "modelcard.py": "adapters/modelcard.py",
    "serving.py": "adapters/server.py",
    "jobs.py": "jobs/batch.py",
    "train.py": "jobs/train.py",
    "evaluate.py": "jobs/evaluate.py",
    "backtest.py": "jobs/backtest.py",
    "monitor.py": "jobs/monitor.py",
    "retrain.py": "jobs/retrain.py",
    "promotion.py": "jobs/promotion.py",
    "lifecycle.py": "jobs/lifecycle.py",
    "loop.py": "jobs/loop.py",
    "service.py": "serving/service.py",
}
ANSWERS_FILE = Path(".copier-answers.yml")
# In git's own folder (`git rev-parse --git-path`), out of the project's tree; read and removed
# by `mlops-new update` (generator/_update.py).
MOVES_RECORD = "mlops-new-moved.json"


def render_old_version(answers: dict, destination: Path) -> None:
    """The project as its recorded template version generated it, with its answers."""
    copier.run_copy(
        answers["_src_path"],
        destination,
        data={key: value for key, value in answers.items() if not key.startswith("_")},
        vcs_ref=answers["_commit"],
        defaults=True,
        overwrite=True,
        quiet=True,
    )


def git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True, text=True)


def move_modules(package: str, generated: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Remove or move each moved module (see the module's docstring): what was done, and the
    edited modules' moves."""
    done, moved = [], []
    for old_name, new_name in MOVES.items():
        old = Path("src", package, old_name)
        new = Path("src", package, new_name)
        if not old.is_file():
            continue
        original = generated / old
        if original.is_file() and original.read_bytes() == old.read_bytes():
            git("rm", "--quiet", "--", str(old))
            done.append(f"removed {old} (unchanged; the new version writes {new})")
        elif new.exists():
            done.append(f"left {old} as it is: {new} already exists")
        else:
            new.parent.mkdir(parents=True, exist_ok=True)
            git("mv", "--", str(old), str(new))
            moved.append({"old": old.as_posix(), "new": new.as_posix()})
            done.append(f"moved {old} to {new} (edited: the update merges your edits there)")
    return done, moved


def record_moves(moved: list[dict[str, str]]) -> None:
    path = subprocess.run(
        ["git", "rev-parse", "--git-path", MOVES_RECORD], check=True, capture_output=True, text=True
    ).stdout.strip()
    Path(path).write_text(json.dumps(moved, indent=2), encoding="utf-8")


def imports_to_change(package: str, generated: Path) -> list[str]:
    """`file: old.module -> new.module` for the project's own files that import a moved one."""
    modules = {old.removesuffix(".py"): new.removesuffix(".py") for old, new in MOVES.items()}
    dotted = re.compile(rf"\b{package}\.({'|'.join(modules)})\b")
    names = re.compile(rf"^\s*from {package} import (.+)$", re.M)
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.py"], check=True, capture_output=True, text=True
    ).stdout.split("\0")
    advice = []
    for name in filter(None, tracked):
        if (generated / name).exists() or not Path(name).is_file():
            continue
        text = Path(name).read_text(encoding="utf-8", errors="replace")
        found = set(dotted.findall(text))
        for imported in names.findall(text):
            found |= {part.strip() for part in imported.split(",")} & set(modules)
        advice += [
            f"{name} imports {package}.{old}: it is {package}.{modules[old].replace('/', '.')} now"
            for old in sorted(found)
        ]
    return advice


def main() -> None:
    answers = yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8"))
    package = answers["package_name"]
    with tempfile.TemporaryDirectory(prefix="mlops-new-layers-") as scratch:
        generated = Path(scratch) / "generated"
        render_old_version(answers, generated)
        done, moved = move_modules(package, generated)
        record_moves(moved)
        for line in done + imports_to_change(package, generated):
            print(f"layers migration: {line}", file=sys.stderr)


if __name__ == "__main__":
    main()
