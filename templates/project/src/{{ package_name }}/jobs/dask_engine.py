"""`train --engine dask` and `predict --engine dask`: data beyond one machine's memory.

The same jobs as train.py and batch.py, on a Dask cluster (adapters/dask_cluster.py): the
rows are read, validated, featurised and scored partition by partition on the workers, each
partition holding whole entities in time order (core/dask_frames.py says how, and what is
computed where), and the booster is trained by `xgboost.dask` on the workers' partitions.

What comes out is what the pandas jobs make: `train` writes the same candidate bundle
(`ScoringPipeline`: booster, pipeline.json, the features' history, the reference sample,
the held-out rows and statistics) through train.py's own functions, for `evaluate` to judge
with the same gate and register the same way; `predict` writes each row's id and answer as
`predict` does (batch.py `answer_table`), from the same feature history.

What stays pandas, on the client, on seeded samples of at most `GATHERED_ROWS` rows of each
part (all rows when there are fewer): the baseline (fitted on training rows), the task's step
after fitting (calibration and threshold, or the interval booster, on validation rows), the
held-out rows `evaluate` judges on, and a capability's rows (forecasting's backtest, on whole
series). The candidate's metadata says how many rows each was given (`engine`).
"""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from ..adapters import dask_cluster, registry, tracking
from ..config import Config
from ..core import dask_frames as frames
from ..core.bundle import ANSWER_MODEL_FILES, InputSpec, PipelineSpec, ScoringPipeline
from ..core.bundle import model_inputs as bundle_inputs
from ..core.data import PARQUET_SUFFIXES, DataFileError, fingerprint, labels, without_excluded
from ..domain import features
from ..errors import UserError
from ..task import model, target
from .batch import answer_table, check_scorable
from .train import (
    TrainingResult,
    capability_results,
    fit_answer,
    held_out_rows,
    log_training,
    training_metadata,
    write_candidate,
)

# Rows of each part gathered to the client at most (see the module's docstring): the baseline
# and the task's fit and the held-out rows' bootstrap are pandas and scikit-learn, and their
# figures settle well below this many rows.
GATHERED_ROWS = 200_000


class EngineOptionError(UserError, ValueError):
    """An option the Dask engine does not take."""


@contextmanager
def cluster(client: Any = None, memory_limit: str | None = None) -> Iterator[Any]:
    """`client` when given (tests share one), else a new one (adapters/dask_cluster.py)."""
    dask_cluster.configure()
    if client is not None:
        yield client
        return
    with dask_cluster.connect(memory_limit) as connected:
        yield connected


# Training -------------------------------------------------------------------------------


def train(config: Config, *, memory_limit: str | None = None, client: Any = None) -> TrainingResult:
    """Train a candidate on `config.data.path` on a Dask cluster; write its bundle to
    artifacts/candidate, as `train` does. The run is logged to MLflow as `train`'s is."""
    with tracking.run(config, "train") as run:
        with cluster(client, memory_limit):
            result = _train(config)
        log_training(run, result.bundle)
    return result


def _train(config: Config) -> TrainingResult:
    data = config.data
    spec = InputSpec.from_data(data)
    engineered = spec.feature_engineering != "none"
    source = config.path(data.path)
    config.artifacts_dir.mkdir(parents=True, exist_ok=True)
    # On the workers' disks only if they share this folder (a remote cluster must).
    with tempfile.TemporaryDirectory(prefix="dask-", dir=config.artifacts_dir) as scratch:
        rows = frames.read_rows(config, source, require_target=True)
        rows = rows.map_partitions(_trainable, config, meta=_trainable(rows._meta, config))
        rows = frames.with_state_keys(rows, data.feature_settings if engineered else None)
        staged, order, groups = _staged(config, rows, Path(scratch) / "rows")
        how = frames.Featurising(
            data.feature_settings,
            data.time_column,
            keep_history=engineered,
            engineered=engineered,
            partitions=2 * _workers(),
            spread=True,
        )
        step = partial(_training_step, config=config, order=order, cuts=staged.quantiles)
        head = _sorted_head(staged, data.time_column)
        meta = _training_step(head, None, frames.Shipped(), config, order).iloc[:0]
        shipped = frames.Shipped(data=groups)
        featurised, pieces = frames.by_entity(staged, how, step, meta, shipped)
        written = featurised.to_parquet(
            str(Path(scratch) / "features"), write_index=False, compute=False
        )
        with warnings.catch_warnings():
            # The frame and the histories are results of the same tasks: computed together,
            # each partition is featurised once (Dask warns that it mixes two kinds of graph).
            warnings.filterwarnings("ignore", "Computing mixed collections", UserWarning)
            _, pieces = dask.compute(written, pieces)
        history = frames.merged_history(data.feature_settings, pieces) if engineered else None
        rows = dd.read_parquet(str(Path(scratch) / "features"), split_row_groups=True)
        return _fit(config, spec, rows, staged.rows, history)


def _staged(
    config: Config, rows: dd.DataFrame, folder: Path
) -> tuple[frames.Staged, str, pd.Series | None]:
    """The trainable rows staged, the column that orders them in time (ROW without a time
    column: file order, as the pandas split has it) and each group's part of a group split
    (None for another split)."""
    split, source = config.split, config.path(config.data.path)
    order = config.data.time_column or frames.ROW
    validation, test = split.validation_fraction, split.test_fraction
    also = {}
    if split.method == "group":
        also["groups"] = frames.group_table(rows, split.group_column, order)
    staged = frames.stage(
        rows,
        folder,
        source=str(source),
        id_column=config.data.id_column,
        order_column=order,
        quantiles=(1 - validation - test, 1 - test) if split.method == "time" else (),
        also=also,
    )
    groups = None
    if split.method == "group":
        table = staged.computed["groups"]
        groups = frames.group_parts(table, staged.rows, split, config.training.seed)
    return staged, order, groups


def _trainable(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The rows training learns from (as train.py `training_rows`), with their LABEL."""
    frame = without_excluded(frame, config)
    frame = frame[frame[config.data.target].notna()]
    return frame.assign(**{frames.LABEL: labels(frame, config)})


def _sorted_head(staged: frames.Staged, time_column: str | None) -> pd.DataFrame:
    """A few staged rows in time order: what a partition's step returns, its columns and
    types, is worked out on them."""
    return frames.time_sorted(staged.frame().head(50), time_column)


def _training_step(
    frame: pd.DataFrame,
    history: Any,
    shipped: frames.Shipped,
    config: Config,
    order: str,
    cuts: list[int] | None = None,
) -> pd.DataFrame:
    """A partition's rows with their domain features and their part of the split."""
    settings = config.data.feature_settings
    if config.data.feature_engineering == "none":
        engineered = pd.DataFrame(index=frame.index)
    elif history is None:  # working out the result's columns only
        engineered = features.engineer_features(frame, features.new_history(settings))
    else:
        engineered = frames.domain_features(frame, history, settings)
    result = frames.with_features(frame, engineered)
    if cuts is None:
        result[frames.PART] = np.zeros(len(frame), dtype=np.int8)
    else:
        seed = config.training.seed
        result[frames.PART] = frames.split_parts(
            frame, config.split, seed, order, cuts, shipped.data
        )
    return result


@dataclass(frozen=True)
class _Parts:
    """The labels of every row and its part, gathered."""

    y: np.ndarray
    part: np.ndarray

    def of(self, index: int) -> np.ndarray:
        return self.y[self.part == index]

    @property
    def sizes(self) -> np.ndarray:
        """The rows of train, validation and test."""
        return np.bincount(self.part, minlength=3)

    def check(self, config: Config, rows: int) -> None:
        """Refuse a split with an empty part, or parts too small to learn from."""
        sizes = self.sizes
        if sizes.min() < 1:
            raise DataFileError(
                f"{rows} rows are too few to split into train, validation and test "
                f"(parts of {', '.join(str(int(n)) for n in sizes)} rows)"
            )
        for name, index in (("train", 0), ("validation", 1)):
            shortage = target.too_few_to_fit(self.of(index), config.data.target)
            if shortage:
                raise DataFileError(f"the {name} rows {shortage}: use more data")


def _fit(
    config: Config, spec: InputSpec, rows: dd.DataFrame, count: int, history: Any
) -> TrainingResult:
    """Fit on the featurised rows: the booster on the cluster, the rest on gathered rows."""
    data = config.data
    periods = _periods(rows, data.time_column)
    gathered, periods = dask.compute(rows[[frames.LABEL, frames.PART]], periods)
    parts = _Parts(gathered[frames.LABEL].to_numpy(), gathered[frames.PART].to_numpy())
    parts.check(config, count)
    booster = _fit_booster(config, spec, rows, parts)

    train_rows, valid_rows, test_rows = _gathered_parts(config, rows, parts)
    x_train, x_valid, x_test = (
        frames.inputs_of(rows, spec) for rows in (train_rows, valid_rows, test_rows)
    )
    y_train, y_valid = train_rows[frames.LABEL].to_numpy(), valid_rows[frames.LABEL].to_numpy()
    baseline = model.fit_baseline(config.evaluation, spec, train_rows, x_train, y_train)
    answer = fit_answer(config, booster, baseline, valid_rows, x_valid, y_valid)
    results = {**answer.record, "validation": answer.validation}
    results.update(
        capability_results(config, baseline, lambda: _capability_rows(config, spec, rows, count))
    )
    results["engine"] = _engine_record(parts, (train_rows, valid_rows, test_rows))
    pipeline_spec = PipelineSpec.from_config(config, **answer.fitted)
    record = _data_record(config, count, parts, periods)
    metadata = training_metadata(config, record, pipeline_spec, booster, parts.of(0), results)
    pipeline = ScoringPipeline(booster, pipeline_spec, history, metadata, **answer.models)
    reference = (x_valid, answer.validation_scores, y_valid)
    y_test = test_rows[frames.LABEL].to_numpy()
    holdout = held_out_rows(config, test_rows, x_test, y_test, baseline, test_rows)
    figures = frames.statistics_record(rows, data.columns)
    bundle = write_candidate(config, pipeline, figures, reference, holdout)
    return TrainingResult(
        bundle=bundle,
        rows=count,
        best_iteration=metadata["training"]["best_iteration"],
        validation=answer.validation,
        rows_note=target.rows_note(parts.y),
        summary=answer.summary,
    )


def _fit_booster(config: Config, spec: InputSpec, rows: dd.DataFrame, parts: _Parts) -> Any:
    """The booster, fitted on the workers (core/dask_frames.py `fit_booster`).

    The model inputs, labels and parts are held in the workers' memory while it is fitted
    (spilled to disk beyond their limit); each worker's train and validation rows come from
    the same partitions, so that every worker has both.
    """
    held = rows.map_partitions(_model_rows, spec, meta=_model_rows(rows._meta, spec)).persist()
    inputs, y, part = held[spec.feature_names], held[frames.LABEL], held[frames.PART]
    return frames.fit_booster(
        config.training,
        spec,
        parts.of(0),
        (inputs[part == 0], y[part == 0]),
        (inputs[part == 1], y[part == 1]),
    )


def _gathered_parts(
    config: Config, rows: dd.DataFrame, parts: _Parts
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The train, validation and test rows on the client, each a seeded sample of at most
    about GATHERED_ROWS rows (all of them when fewer), in time order."""
    part, seed = rows[frames.PART], config.training.seed
    drawn = (
        frames.drawn(rows[part == index], int(parts.sizes[index]), GATHERED_ROWS, seed)
        for index in (0, 1, 2)
    )
    train_rows, valid_rows, test_rows = (
        _on_client(frame, config.data.time_column) for frame in dask.compute(*drawn)
    )
    return train_rows, valid_rows, test_rows


def _engine_record(parts: _Parts, gathered: tuple[pd.DataFrame, ...]) -> dict[str, Any]:
    """The candidate's metadata on the engine: the workers, and the rows each pandas step
    was given of its part's rows."""
    names = ("train (baseline)", "validation", "test")
    return {
        "name": "dask",
        "workers": _workers(),
        "gathered": {
            name: [len(frame), int(size)]
            for name, frame, size in zip(names, gathered, parts.sizes, strict=True)
        },
    }


def _client() -> Any:
    from distributed import get_client

    return get_client()


def _workers() -> int:
    return max(len(_client().scheduler_info()["workers"]), 1)


def _model_rows(frame: pd.DataFrame, spec: InputSpec) -> pd.DataFrame:
    """A partition's model inputs, LABEL and PART."""
    inputs = frames.inputs_of(frame, spec)
    inputs[frames.LABEL] = frame[frames.LABEL]
    inputs[frames.PART] = frame[frames.PART]
    return inputs


def _on_client(frame: pd.DataFrame, time_column: str | None) -> pd.DataFrame:
    """Gathered rows in time order, indexed by their place in the file (ROW)."""
    frame = frames.time_sorted(frame, time_column)
    return frame.set_index(pd.Index(frame[frames.ROW].to_numpy()))


def _capability_rows(
    config: Config, spec: InputSpec, rows: dd.DataFrame, count: int
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Whole entities (every row of a series), at most about GATHERED_ROWS rows, in time:
    what a capability computes on (forecasting's backtest)."""
    seed = config.training.seed
    sample = frames.drawn(rows, count, GATHERED_ROWS, seed, by=frames.ENTITY_KEY).compute()
    sample = frames.time_sorted(sample, config.data.time_column).reset_index(drop=True)
    return sample, frames.inputs_of(sample, spec), sample[frames.LABEL].to_numpy()


def _periods(rows: dd.DataFrame, time_column: str | None) -> dict[str, Any]:
    if time_column is None:
        return {}
    times, test = rows[time_column], rows[time_column][rows[frames.PART] == 2]
    return {"all": (times.min(), times.max()), "test": (test.min(), test.max())}


def _data_record(
    config: Config, count: int, parts: _Parts, periods: dict[str, Any]
) -> dict[str, Any]:
    """train.py `data_record`'s figures, from the cluster's counts and periods."""
    source = config.path(config.data.path)
    period = {name: [str(low), str(high)] for name, (low, high) in periods.items()}
    sizes = parts.sizes
    return {
        "path": str(source),
        "sha256": _fingerprint(source),
        "rows": count,
        **target.target_counts(parts.y),
        "train_rows": int(sizes[0]),
        "validation_rows": int(sizes[1]),
        "test_rows": int(sizes[2]),
        "split": config.split.method,
        "test_period": period.get("test"),
        "period": period.get("all"),
    }


def _fingerprint(path: Path) -> str:
    """`fingerprint` of a file; of a folder (a Parquet dataset), of its files' names and
    fingerprints in order."""
    if path.is_file():
        return fingerprint(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(path).as_posix()} {fingerprint(file)}\n".encode())
    return digest.hexdigest()


# Batch scoring --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredFile:
    rows: int
    path: Path
    model_version: str


class _PartitionScorer(ScoringPipeline):
    """The model on one partition of whole entities: the domain features come from
    `dask_frames.domain_features` (which puts shared state back row by row when there is
    any); everything else is `ScoringPipeline`'s (the task's `predict`)."""

    def inputs(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.spec.feature_engineering == "none":
            return super().inputs(frame)
        engineered = frames.domain_features(frame, self.history, self.spec.feature_settings)
        return bundle_inputs(frame, self.spec, None, engineered)


def predict_file(
    config: Config,
    source: Path,
    destination: Path,
    *,
    tag: str | None = None,
    log: bool = False,
    memory_limit: str | None = None,
    client: Any = None,
) -> ScoredFile:
    """Predict every row of `source` (Parquet, or CSV) with the champion on a Dask cluster,
    as `predict` does, each entity's rows from the model's history of it; write each row's
    id and answer to `destination`: a Parquet folder when it ends in .parquet, else one CSV.
    Rows come out grouped by entity, in time within each (join them by id)."""
    if log:
        raise EngineOptionError(
            "--log writes every prediction to the prediction log one batch at a time: score "
            "with the pandas engine to log, or monitor the file with `monitor --current`"
        )
    pipeline = registry.load(config, tag)
    with cluster(client, memory_limit):
        rows = _score(config, pipeline, Path(source), Path(destination))
    return ScoredFile(rows, Path(destination), pipeline.version)


def _score(config: Config, pipeline: ScoringPipeline, source: Path, destination: Path) -> int:
    spec = pipeline.spec
    settings = spec.feature_settings if spec.feature_engineering != "none" else None
    config.artifacts_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dask-", dir=config.artifacts_dir) as scratch:
        rows = frames.read_rows(config, source, require_target=False)
        rows = frames.with_state_keys(rows, settings)
        staged = frames.stage(
            rows, Path(scratch) / "rows", source=str(source), id_column=config.data.id_column
        )
        how = frames.Featurising(
            spec.feature_settings,
            config.data.time_column,
            engineered=settings is not None,
            partitions=2 * _workers(),
        )
        head = _sorted_head(staged, config.data.time_column)
        shipped = frames.Shipped(model=pipeline)
        meta = _scoring_step(head, _history(pipeline), shipped, config, check=False).iloc[:0]
        step = partial(_scoring_step, config=config)
        scored, _ = frames.by_entity(staged, how, step, meta, shipped)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.suffix.lower() in PARQUET_SUFFIXES:
            scored.to_parquet(str(destination), write_index=False, overwrite=True)
        else:
            scored.to_csv(str(destination), single_file=True, index=False)
    return staged.rows


def _history(pipeline: ScoringPipeline) -> Any:
    if pipeline.history is None:
        return None
    return features.new_history(pipeline.spec.feature_settings)


def _scoring_step(
    frame: pd.DataFrame,
    history: Any,
    shipped: frames.Shipped,
    config: Config,
    check: bool = True,
) -> pd.DataFrame:
    """The answers of a partition's rows, from `history` (the model's, of their entities)."""
    pipeline = shipped.model
    answer_models = {name: getattr(pipeline, name) for name in ANSWER_MODEL_FILES}
    scorer = _PartitionScorer(
        pipeline.booster, pipeline.spec, history, pipeline.metadata, pipeline.path, **answer_models
    )
    if check:
        check_scorable(config, scorer, frame)
    return answer_table(config, scorer, frame, scorer.predict(frame))
