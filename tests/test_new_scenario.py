"""Adding a use case is adding one folder: a fifth scenario, written here, trains end to end.

The test copies this repository (its tracked files) into a temporary folder, adds
`scenarios/parcel-delays/` (a minimal but real use case: will a parcel arrive late?), and then
does what a maintainer would: the contract check, `mlops-new list`, `mlops-new parcel-delays`,
an install of the generated project in a virtual environment of its own, the scenario's own
tests, and the project's `simulate`, `validate` and `train` commands. Nothing outside the new
folder is edited, and no file outside it changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import support
from support import run

from generator.contract import check_scenario

pytestmark = pytest.mark.e2e

NAME = "parcel-delays"
SCENARIO: dict[str, str] = {
    "scenario.yml": """\
name: parcel-delays
title: Parcel delays
domain: logistics
summary: Flag parcels likely to arrive late, from the route, the service and the sender's volume.
tagline: flag late parcels
readme_summary: flags parcels likely to arrive late
task: binary
capabilities: []
real_dataset: null
real_dataset_label: null
real_dataset_file: null
headline_metric: {name: pr_auc, higher_is_better: true}
available: true
workshop: null
""",
    "src/simulate.py": '''\
"""Simulated parcels with a known chance of arriving late.

Senders ship a few parcels a day. A parcel is late more often when it travels far, weighs
more, goes by the standard service, or when its sender has shipped many parcels in the past
week (a busy depot). `drift=True` lengthens the routes, as a new long-haul customer would.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

SIZES: dict[str, tuple[int, int]] = {"small": (150, 60), "medium": (400, 120), "large": (1200, 180)}
PRODUCTION_DAYS: int = 14


class Simulation(NamedTuple):
    parcels: pd.DataFrame
    truth: pd.DataFrame


def simulate(
    population: int,
    days: int,
    *,
    seed: int = 42,
    start: str = "2026-01-01",
    drift: bool = False,
) -> Simulation:
    """`days` of parcels from `population` senders; the same senders for the same seed."""
    senders = np.random.default_rng(seed)
    volume = senders.gamma(2.0, 0.4, population)
    first = date.fromisoformat(start)
    rows, truth = [], []
    for offset in range(days):
        day = first + timedelta(days=offset)
        rng = np.random.default_rng([seed, day.toordinal()])
        counts = rng.poisson(volume)
        for sender in np.flatnonzero(counts):
            for _ in range(int(counts[sender])):
                distance = float(rng.lognormal(5.0 + (0.4 if drift else 0.0), 0.7))
                weight = float(rng.gamma(2.0, 2.0))
                express = bool(rng.random() < 0.3)
                busy = float(volume[sender] > 1.2)
                logit = -3.2 + 0.0012 * distance + 0.06 * weight - 1.1 * express + 0.9 * busy
                probability = 1 / (1 + np.exp(-logit))
                parcel_id = f"p_{seed}_{day.toordinal()}_{len(rows):06d}"
                shipped = pd.Timestamp(day) + pd.Timedelta(seconds=int(rng.integers(0, 86400)))
                rows.append(
                    {
                        "parcel_id": parcel_id,
                        "shipped_at": shipped,
                        "sender_id": f"s_{sender:05d}",
                        "distance_km": round(min(distance, 4000.0), 1),
                        "weight_kg": round(min(max(weight, 0.1), 60.0), 2),
                        "service": "express" if express else "standard",
                        "late": int(rng.random() < probability),
                    }
                )
                truth.append({"parcel_id": parcel_id, "late_probability": probability})
    parcels = pd.DataFrame(rows).sort_values("shipped_at", kind="stable").reset_index(drop=True)
    return Simulation(parcels, pd.DataFrame(truth))
''',
    "src/features.py": '''\
"""The sender's recent volume: parcels shipped in the past week, and days since the last one.

Computed for each parcel from the sender's parcels before it, the same way for the training
set and for one request in the service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

KIND = "parcels"
ENTITY = "sender"
REQUIRED_COLUMNS: tuple[str, ...] = ("sender_id", "shipped_at")
WEEK = pd.Timedelta(days=7)


class SenderHistory:
    """Each sender's shipping times within the last week."""

    def __init__(self, recent: dict[str, list[str]] | None = None) -> None:
        recent = recent or {}
        self.recent = {key: [pd.Timestamp(t) for t in times] for key, times in recent.items()}

    def to_dict(self) -> dict:
        return {"recent": {key: [str(t) for t in times] for key, times in self.recent.items()}}


def feature_names(settings: dict) -> list[str]:
    return ["sender_parcels_7d", "days_since_last_parcel"]


def new_history(settings: dict) -> SenderHistory:
    return SenderHistory()


def history_from_dict(data: dict) -> SenderHistory:
    return SenderHistory(data.get("recent"))


def last_seen(frame: pd.DataFrame, history: SenderHistory) -> pd.Series:
    latest = [max(history.recent.get(str(sender)) or [pd.NaT]) for sender in frame["sender_id"]]
    return pd.Series(pd.to_datetime(latest), index=frame.index)


def engineer_features(frame: pd.DataFrame, history: SenderHistory) -> pd.DataFrame:
    counts, gaps = [], []
    for sender, shipped in zip(frame["sender_id"], frame["shipped_at"], strict=True):
        times = [t for t in history.recent.get(str(sender), []) if shipped - t <= WEEK]
        counts.append(float(len(times)))
        gaps.append((shipped - times[-1]) / pd.Timedelta(days=1) if times else np.nan)
        history.recent[str(sender)] = [*times, shipped]
    return pd.DataFrame(
        {"sender_parcels_7d": counts, "days_since_last_parcel": gaps},
        index=frame.index,
        dtype="float64",
    )


def row_features(row: dict, history: SenderHistory) -> list[float]:
    sender, shipped = str(row["sender_id"]), pd.Timestamp(row["shipped_at"])
    times = [t for t in history.recent.get(sender, []) if shipped - t <= WEEK]
    history.recent[sender] = [*times, shipped]
    gap = (shipped - times[-1]) / pd.Timedelta(days=1) if times else np.nan
    return [float(len(times)), float(gap)]


def row_last_seen(row: dict, history: SenderHistory) -> datetime | None:
    times = history.recent.get(str(row["sender_id"]))
    return max(times).to_pydatetime() if times else None


def state_keys(row: dict, history: SenderHistory) -> list[str]:
    return ["sender:" + str(row["sender_id"])]


def state_key_list(history: SenderHistory) -> list[str]:
    return ["sender:" + sender for sender in history.recent]


def get_state(history: SenderHistory, key: str) -> Any:
    times = history.recent.get(key.removeprefix("sender:"))
    return None if times is None else [str(t) for t in times]


def set_state(history: SenderHistory, key: str, state: Any) -> None:
    sender = key.removeprefix("sender:")
    if state is None:
        history.recent.pop(sender, None)
    else:
        history.recent[sender] = [pd.Timestamp(t) for t in state]
''',
    "config/pipeline.yaml": """\
# The parcel-delays pipeline: every fact about the data and every parameter, in one place.
schema_version: 2

data:
  path: data/parcels.csv
  id_column: parcel_id
  time_column: shipped_at
  target: late
  positive_label: 1
  feature_engineering: parcels
  truth:
    path: data/parcels_truth.csv
    column: late_probability
  columns:
    parcel_id: {type: string}
    shipped_at: {type: datetime}
    sender_id: {type: string}
    distance_km: {type: float, min: 0, max: 4000, feature: true}
    weight_kg: {type: float, min: 0, max: 60, feature: true}
    service: {type: category, allowed: [standard, express], feature: true}
    late: {type: int, allowed: [0, 1]}

training:
  max_rounds: 300
  early_stopping_rounds: 30
  params: {max_depth: 3, learning_rate: 0.1}

evaluation:
  alert_rate: 0.1
  costs: {false_positive: 1.0, false_negative: 5.0}
  gate:
    limits: {roc_auc: 0.6}

registry:
  model_name: parcel_delays

serving:
  positive_decision: expedite
  negative_decision: ship

monitoring:
  quality: {roc_auc: 0.6}
""",
    "config/real_data.yaml": """\
# No public dataset yet: this is config/pipeline.yaml for your own parcels. Point data.path at
# your CSV, describe its columns, and remove data.truth (real data has no oracle).
schema_version: 2

data:
  path: data/your_parcels.csv
  id_column: parcel_id
  time_column: shipped_at
  target: late
  feature_engineering: parcels
  columns:
    parcel_id: {type: string}
    shipped_at: {type: datetime}
    sender_id: {type: string}
    distance_km: {type: float, min: 0, feature: true}
    weight_kg: {type: float, min: 0, feature: true}
    service: {type: category, allowed: [standard, express], feature: true}
    late: {type: int, allowed: [0, 1]}

evaluation:
  alert_rate: 0.1
  costs: {false_positive: 1.0, false_negative: 5.0}
  gate:
    limits: {roc_auc: 0.6}

registry:
  model_name: parcel_delays

monitoring:
  quality: {roc_auc: 0.6}
""",
    "docs/problem.md": """\
# Parcel delays

A depot can expedite a few parcels a day. Which ones are likely to arrive late? The model
scores each parcel when it is shipped, from its route, weight and service and the sender's
recent volume; the depot expedites those above a cost-based threshold.
""",
    "docs/data_protection.md": """\
**In this use case.** A parcel request names a sender, whose id the log keeps as sent: it is
a business account, not a person.
""",
    "examples/request.json": """\
{
  "parcel_id": "p_example_1",
  "shipped_at": "2026-03-02T09:30:00",
  "sender_id": "s_00042",
  "distance_km": 850.0,
  "weight_kg": 4.2,
  "service": "standard"
}
""",
    "tests/test_simulate.py": """\
from {{ package_name }}.domain.simulate import SIZES, simulate


def test_the_same_seed_gives_the_same_parcels():
    first = simulate(*SIZES["small"], seed=7)
    again = simulate(*SIZES["small"], seed=7)
    assert first.parcels.equals(again.parcels)
    assert set(first.parcels["late"]) <= {0, 1}
    assert first.truth["late_probability"].between(0, 1).all()


def test_drift_lengthens_the_routes():
    normal = simulate(*SIZES["small"], seed=7).parcels
    drifted = simulate(*SIZES["small"], seed=7, drift=True).parcels
    assert drifted["distance_km"].median() > normal["distance_km"].median()
""",
    "tests/test_features.py": """\
import pandas as pd

from {{ package_name }}.domain.features import engineer_features, history_from_dict, new_history


def test_a_sender_s_past_week_is_counted_from_earlier_parcels_only():
    frame = pd.DataFrame(
        {
            "sender_id": pd.array(["a", "a", "b", "a"], dtype="string"),
            "shipped_at": pd.to_datetime(
                ["2026-01-01", "2026-01-03", "2026-01-03", "2026-01-12"]
            ),
        }
    )
    history = new_history({})
    features = engineer_features(frame, history)
    assert features["sender_parcels_7d"].tolist() == [0.0, 1.0, 0.0, 0.0]
    assert features["days_since_last_parcel"].iloc[1] == 2.0
    restored = history_from_dict(history.to_dict())
    assert restored.recent.keys() == history.recent.keys()
""",
}


def tracked_files(repository: Path) -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=repository, capture_output=True, text=True, check=True
    ).stdout
    return [name for name in listing.split("\0") if name and (repository / name).is_file()]


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_a_fifth_use_case_is_one_folder_and_trains(tmp_path: Path) -> None:
    repository = tmp_path / "mlops-new"
    for name in tracked_files(support.REPO):
        (repository / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(support.REPO / name, repository / name)
    before = digests(repository)
    folder = repository / "scenarios" / NAME
    for relative, content in SCENARIO.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(content)

    assert check_scenario(folder) == []
    # The generator of the copy, on the copy (not a git checkout: it renders the folder).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENTOML_", "VIRTUAL_ENV"))}
    env |= {"PATH": support.SYSTEM_PATH, "PYTHONPATH": str(repository)}
    mlops_new = [sys.executable, "-m", "generator"]
    listed = run([*mlops_new, "list"], repository, env)
    assert NAME in listed and "logistics" in listed
    run([*mlops_new, NAME, str(tmp_path / "parcels")], repository, env)
    project = tmp_path / "parcels"

    after = digests(repository)
    changed = {
        name
        for name in before.keys() | after.keys()
        if before.get(name) != after.get(name) and not name.startswith(f"scenarios/{NAME}/")
    }
    assert changed == set(), f"files outside scenarios/{NAME}/ changed: {sorted(changed)}"

    # An environment of the project's own, with its dependencies and the project installed.
    venv = tmp_path / "venv"
    uv = [sys.executable, "-m", "uv"]
    python = venv / "bin" / "python"
    run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], tmp_path, dict(env))
    install = [*uv, "pip", "install", "--quiet", "--python", str(python)]
    run([*install, "--editable", f"{project}[dev]"], tmp_path, env)
    project_env = {**env, "PATH": support.fresh_path(venv), "BENTOML_DO_NOT_TRACK": "True"}
    project_env.pop("PYTHONPATH")

    tests = run(
        [
            str(python),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_simulate.py",
            "tests/test_features.py",
            "tests/test_architecture.py",
        ],
        project,
        project_env,
    )
    assert " passed" in tests and "failed" not in tests
    command = str(venv / "bin" / "parcels")
    run([command, "simulate", "--size", "small"], project, project_env)
    assert "rows" in run([command, "validate"], project, project_env)
    trained = run([command, "train"], project, project_env)
    assert (project / "artifacts" / "candidate" / "model.ubj").is_file(), trained
