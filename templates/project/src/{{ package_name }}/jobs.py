"""Small jobs behind the CLI: simulate data, validate a file, score a file, attach labels.

The bigger jobs have modules of their own (train, evaluate, promotion, monitor, lifecycle).
Each job takes the validated `Config` and returns what it did, so tests call it directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from . import registry, simulate
from .config import Config, ConfigError
from .data import DataFileError, fingerprint, labels, load_dataset, read_csv_text
from .predlog import PredictionLog

TRAINING_START = date(2026, 1, 1)
# Beside the simulated files: the fingerprint of each, so that only they are ever replaced.
SIMULATED_LEDGER = ".simulated.json"
PRODUCTION_DAYS = 7


@dataclass(frozen=True)
class SimulatedFiles:
    data: Path
    truth: Path
    rows: int
    positive_rate: float


def production_paths(config: Config, *, drift: bool) -> tuple[Path, Path]:
    name = "production_drifted" if drift else "production"
    folder = config.path(config.data.path).parent
    return folder / f"{name}.csv", folder / f"{name}_truth.csv"


def simulate_data(
    config: Config,
    *,
    size: str = "medium",
    seed: int = 42,
    production: bool = False,
    drift: bool = False,
    overwrite: bool = False,
) -> SimulatedFiles:
    """Simulate the training period (to `data.path`) or a later production period.

    A production period follows the training period of the same size, with the same
    customers; `drift=True` shifts it the way a changing market would. A file the simulator
    did not write, or that changed since it did, is never replaced unless `overwrite`:
    `data.path` may point at a team's own data.
    """
    if size not in simulate.SIZES:
        raise ConfigError(f"unknown size '{size}'; choose one of {', '.join(simulate.SIZES)}")
    population, days = simulate.SIZES[size]
    if production or drift:
        start = TRAINING_START + timedelta(days=days)
        rows, truth = simulate.simulate(
            population, PRODUCTION_DAYS, seed=seed, start=str(start), drift=drift
        )
        data_path, truth_path = production_paths(config, drift=drift)
    else:
        rows, truth = simulate.simulate(population, days, seed=seed, start=str(TRAINING_START))
        data_path = config.path(config.data.path)
        if config.data.truth is None:
            raise ConfigError(
                "data.truth is not configured: simulated data needs somewhere to keep it"
            )
        truth_path = config.path(config.data.truth.path)
    data_path.parent.mkdir(parents=True, exist_ok=True)
    ledger = data_path.parent / SIMULATED_LEDGER
    written = json.loads(ledger.read_text()) if ledger.is_file() else {}
    if not overwrite:
        for path in (data_path, truth_path):
            if path.exists() and written.get(path.name) != fingerprint(path):
                raise DataFileError(
                    f"{path} exists and was not written by `simulate` (or was changed since): "
                    "move it away, point the configuration elsewhere, or pass --overwrite"
                )
    rows.to_csv(data_path, index=False)
    truth.to_csv(truth_path, index=False)
    written.update({path.name: fingerprint(path) for path in (data_path, truth_path)})
    ledger.write_text(json.dumps(written, indent=2))
    return SimulatedFiles(data_path, truth_path, len(rows), float(labels(rows, config).mean()))


def validate_data(config: Config, path: Path | None = None, *, require_target: bool = True) -> int:
    """Validate a CSV against the declared schema; return its row count (raises on violations)."""
    return len(load_dataset(config, path, require_target=require_target))


def predict_file(
    config: Config, source: Path, destination: Path, *, tag: str | None = None
) -> pd.DataFrame:
    """Score every row of `source` with the champion; write id, score and decision.

    Rows are scored in time order starting from the feature history at the end of the
    model's training data, so batch and online scores agree.
    """
    pipeline = registry.load(config, tag)
    frame = load_dataset(config, source, require_target=False)
    predictions = pipeline.predict(frame)
    id_column = config.data.id_column
    output = pd.DataFrame(
        {
            **({id_column: frame[id_column]} if id_column else {}),
            "score": predictions["score"].round(6),
            "decision": predictions["decision"],
            "model_version": pipeline.version,
        }
    )
    destination.parent.mkdir(parents=True, exist_ok=True)
    output.to_csv(destination, index=False)
    return output


def attach_labels(config: Config, source: Path) -> int:
    """Join outcomes that arrived later (a CSV with the id and target columns) to the log."""
    id_column, target = config.data.id_column, config.data.target
    if id_column is None:
        raise ConfigError(
            "data.id_column is not configured: labels are joined to predictions by id"
        )
    table = read_csv_text(source, config.data.missing_values)
    missing = {id_column, target} - set(table.columns)
    if missing:
        raise DataFileError(f"{source} lacks the column(s) {', '.join(sorted(missing))}")
    outcomes = pd.DataFrame({"entity_id": table[id_column], "label": labels(table, config)})
    return PredictionLog(config.path(config.serving.prediction_log)).add_labels(outcomes)
