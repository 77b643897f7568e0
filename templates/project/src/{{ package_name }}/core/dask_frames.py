"""Data beyond one machine's memory: the project's frames as Dask frames, featurised by entity.

The `--engine dask` commands (jobs/dask_engine.py) run the project's own pandas code on
partitions of a Dask frame; nothing here computes a feature, a check or a label a second way:

- reading: a Parquet file (or folder of them) or a CSV, in partitions; each partition becomes
  text and is validated by the schema's `validate_frame`, as `load_dataset` does a file;
- the domain features keep state per entity (a customer's past payments, a series' past
  sales): every row is featurised from its entity's earlier rows. So the rows are shuffled
  by their entity's state key (`features.state_keys`, the key that starts with
  `features.ENTITY`): each entity's whole history is then in one partition, which is sorted in
  time (ties in file order, as `time_ordered` keeps them) and featurised by the same
  `features.engineer_features`, from an empty history (training) or from the model's
  history of those entities (scoring);
- state shared across entities (fraud detection's statistics of amounts per merchant
  category, which every customer's payments update) cannot follow both the customer and the
  category. It takes a pass of its own first: rows are sorted in time across partitions and
  run one partition after the other, the shared state carried from each to the next, and
  each row is given the shared state as it stood before it (`features.get_state`); the
  entity pass then puts it back before featurising the row with the per-row form
  `features.row_features`, which the parity test (tests/test_online.py) holds equal to
  `engineer_features`. This needs the shared state to be updated from the row alone (not
  from its entity's state), which tests/test_dask.py checks against the pandas path;
- what the whole data decides is computed on the cluster: the time split's cuts (Dask's
  approximate quantiles of the time column), a random split (a seeded hash of the row), a
  group split (one line per group gathered: its rows and where it first appears, for the
  pandas split's own `group_parts`), duplicate ids, row counts, periods and the training
  data's statistics (`statistics_record`). Category codes need nothing: they are
  positions in the schema's declared `allowed` values (`encode_raw_features`).

What is gathered to the client: aggregates, the labels (one number per row: the task's
functions take them as an array), the history of every entity (the model's history.json,
which serving loads whole anyway), and seeded samples of at most a given number of rows
(jobs/dask_engine.py `GATHERED_ROWS`) for what stays pandas: the baseline, the task's step
after fitting, the reference and held-out rows, and a capability's rows (a backtest).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import xgboost as xgb

from ..config import ColumnSpec, Config, SplitConfig, TrainingConfig
from ..domain import features
from ..errors import UserError
from .bundle import InputSpec, model_inputs
from .data import PARQUET_SUFFIXES, DataFileError, parquet_as_text
from .data import group_parts as data_group_parts
from .fitting import booster_params
from .schema import DataValidationError, Violation, validate_frame
from .statistics import TOP_VALUES, statistics_from_figures

# Columns the engine adds to the rows, all named "__...__" (none is a model input):
ROW = "__row__"  # the row's place in the file: partition number * 2**40 + position
LABEL = "__label__"  # the target as the task reads it (training)
PART = "__part__"  # 0 train, 1 validation, 2 test (training)
ENTITY_KEY = "__entity__"  # its entity's state key; "row:<ROW>" for a row without one
SHARED_KEY = "__shared__"  # the key of state shared across entities it updates, or None
SHARED_STATE = "__shared_state__"  # that state before the row, as JSON
FEATURE_PREFIX = "__feature__"  # + a domain feature's name
_PARTITION_ROWS = 2**40
_NO_ENTITY = "row:"

# The dtype `validate_frame` gives each declared type.
_TYPED = {"datetime": "datetime64[ns]", "int": "Int64", "float": "float64"}


class EngineError(UserError, ValueError):
    """The data or the domain features do not fit the Dask engine."""


# Reading ------------------------------------------------------------------------------------


def read_rows(config: Config, path: Path, *, require_target: bool) -> dd.DataFrame:
    """The rows of a CSV (gzip too) or of a Parquet file or folder, validated and typed by
    the schema partition by partition (`validate_frame`), with ROW: their order in the file.
    Parquet is the format for large data: read by row group, typed, compressed."""
    data = config.data
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"data file not found: {path}")
    if path.is_dir() or path.suffix.lower() in PARQUET_SUFFIXES:
        raw = dd.read_parquet(str(path), dtype_backend="numpy_nullable", split_row_groups=True)
        meta = pd.DataFrame({name: pd.Series(dtype=object) for name in raw.columns})
        text = raw.map_partitions(parquet_as_text, data.missing_values, meta=meta)
    else:
        whole = path.suffix.lower() in (".gz", ".bz2", ".xz", ".zip")  # not splittable
        text = dd.read_csv(
            str(path),
            dtype=str,
            keep_default_na=False,
            na_values=["", *data.missing_values],
            blocksize=None if whole else "32MiB",
        )
    skip = () if require_target else (data.target, *data.known_after_outcome)
    typed_meta = pd.DataFrame(
        {
            name: pd.Series(dtype=_TYPED.get(spec.type, "string"))
            for name, spec in data.columns.items()
            if name in text.columns
        }
    )
    typed = text.map_partitions(_typed, data.columns, str(path), skip, typed_meta, meta=typed_meta)
    return typed.map_partitions(_numbered, meta=typed_meta.assign(**{ROW: np.int64(0)}))


def _typed(
    frame: pd.DataFrame,
    columns: dict[str, ColumnSpec],
    source: str,
    skip: tuple[str, ...],
    meta: pd.DataFrame,
) -> pd.DataFrame:
    if frame.empty:  # a partition may be empty; `stage` refuses a file without rows
        return meta.copy()
    return validate_frame(frame, columns, source=source, skip=skip)


def _numbered(frame: pd.DataFrame, partition_info: dict | None = None) -> pd.DataFrame:
    number = 0 if partition_info is None else partition_info["number"]
    rows = number * _PARTITION_ROWS + np.arange(len(frame), dtype=np.int64)
    return frame.assign(**{ROW: rows})


def typed_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The schema's columns of each row (`raw_columns`) as the service types a request
    (`OnlineInputs.typed`): plain Python values, times as naive datetimes, None where
    missing. What `features.state_keys` and `features.row_features` take."""
    names = raw_columns(frame)
    columns = []
    for name in names:
        values = frame[name]
        missing = values.isna().to_numpy()
        if pd.api.types.is_datetime64_any_dtype(values):  # datetime64[us] -> datetime
            plain = values.to_numpy(dtype="datetime64[us]").astype(object)
        else:
            plain = values.astype(object).to_numpy()
        plain[missing] = None
        columns.append(plain.tolist())
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def raw_columns(frame: pd.DataFrame) -> list[str]:
    """The schema's columns of a frame of the engine's (not the "__...__" ones it adds)."""
    return [name for name in frame.columns if not name.startswith("__")]


def with_state_keys(rows: dd.DataFrame, settings: dict | None) -> dd.DataFrame:
    """ENTITY_KEY and SHARED_KEY of every row, from `features.state_keys` of its values
    (`settings` None: no domain features, no state: every row is its own entity)."""
    meta = rows._meta.assign(**{ENTITY_KEY: pd.Series(dtype=object)})
    meta[SHARED_KEY] = pd.Series(dtype=object)
    return rows.map_partitions(_state_keys, settings, meta=meta)


def _state_keys(frame: pd.DataFrame, settings: dict | None) -> pd.DataFrame:
    scratch = None if settings is None else features.new_history(settings)
    entity, shared = [], []
    numbers = frame[ROW].tolist()
    rows = typed_rows(frame) if settings is not None else numbers
    for number, row in zip(numbers, rows, strict=True):
        keys = [] if scratch is None else features.state_keys(row, scratch)
        own = [key for key in keys if _is_entity_key(key)]
        others = [key for key in keys if _is_shared_key(key)]
        if len(own) > 1 or len(others) > 1:
            raise EngineError(
                f"a row's features read the state under {', '.join(keys)}: the Dask engine "
                f"takes one key of its {features.ENTITY} and at most one shared key"
            )
        entity.append(own[0] if own else f"{_NO_ENTITY}{number}")
        shared.append(others[0] if others else None)
    frame = frame.assign(**{ENTITY_KEY: pd.Series(entity, index=frame.index, dtype=object)})
    frame[SHARED_KEY] = pd.Series(shared, index=frame.index, dtype=object)
    return frame


# Staging: the rows written once, with what the whole data decides ---------------------------


@dataclass(frozen=True)
class Staged:
    """Validated rows with their state keys, written to Parquet, and what was computed on
    the whole of them in the same pass."""

    path: Path
    rows: int
    # Whether any row has an entity (rows without one need no shuffle) or shared state.
    has_entities: bool
    has_shared: bool
    # The order column's values at the requested quantiles (times as nanoseconds since 1970).
    quantiles: list[int]
    # What else was asked of the same pass (`stage`'s `also`), computed.
    computed: dict[str, Any]

    def frame(self) -> dd.DataFrame:
        return dd.read_parquet(str(self.path), split_row_groups=True)


def stage(
    rows: dd.DataFrame,
    folder: Path,
    *,
    source: str,
    id_column: str | None,
    order_column: str | None = None,
    quantiles: tuple[float, ...] = (),
    also: dict[str, Any] | None = None,
) -> Staged:
    """Write `rows` to `folder` and compute, in the same pass: their count, whether they have
    entities or shared state, whether an id repeats, and `order_column`'s `quantiles` (a
    time, or ROW)."""
    figures: dict[str, Any] = {
        "rows": rows[ROW].count(),
        "entities": (~rows[ENTITY_KEY].str.startswith(_NO_ENTITY)).any(),
        "shared": rows[SHARED_KEY].notnull().any(),
    }
    if id_column is not None:
        figures["ids"] = rows[id_column].drop_duplicates(split_out=True).size
    if quantiles and order_column is not None:
        order = rows[order_column].map_partitions(_as_int64, meta=(order_column, "int64"))
        figures["quantiles"] = order.quantile(list(quantiles))
    write = rows.to_parquet(str(folder), write_index=False, compute=False)
    _, figures, computed = dask.compute(write, figures, also or {})
    if not figures["rows"]:
        raise DataValidationError(source, [Violation("*", "no rows", 0)])
    if id_column is not None and figures["ids"] < figures["rows"]:
        repeated = rows[id_column].value_counts(split_out=True)
        example = repeated[repeated > 1].head(1, npartitions=-1)
        raise DataValidationError(
            source,
            [
                Violation(
                    id_column,
                    "duplicate id",
                    int(figures["rows"] - figures["ids"]),
                    repr(example.index[0]) if len(example) else "",
                )
            ],
        )
    return Staged(
        path=folder,
        rows=int(figures["rows"]),
        has_entities=bool(figures["entities"]),
        has_shared=bool(figures["shared"]),
        quantiles=[int(v) for v in figures.get("quantiles", pd.Series(dtype="int64")).tolist()],
        computed=computed,
    )


def _as_int64(values: pd.Series) -> pd.Series:
    return values.dropna().astype("int64")


def epoch_nanoseconds(times: pd.Series) -> np.ndarray:
    """A time column as nanoseconds since 1970 (NaT as the largest number: last in time,
    where a stable sort puts it)."""
    values = times.to_numpy(dtype="datetime64[ns]").astype("int64")
    return np.where(times.isna().to_numpy(), np.iinfo(np.int64).max, values)


def uniform(values: pd.Series, seed: int) -> np.ndarray:
    """A number in [0, 1) for each value, the same for the same value and seed wherever it
    is computed: seeded draws that need no list of all values (splits, samples)."""
    key = f"{seed % 10**16:016d}"
    hashed = pd.util.hash_pandas_object(values.astype("string"), index=False, hash_key=key)
    return hashed.to_numpy(dtype=np.uint64) / 2.0**64


def split_parts(
    frame: pd.DataFrame,
    split: SplitConfig,
    seed: int,
    order_column: str,
    cuts: list[int],
    groups: pd.Series | None = None,
) -> np.ndarray:
    """Each row's part, 0 train, 1 validation, 2 test, as `config.split` says, row by row.

    `time`: rows before the first cut train, rows from the second test (`cuts`: the order
    column's quantiles, from `stage`; a cut is a time, so the rows of one time are on one
    side). `group`: each group's part from `groups` (`group_parts`). Otherwise a seeded hash
    of the row decides (not stratified: on large data the shares hold).
    """
    if split.method == "time":
        column = frame[order_column]
        order = column.to_numpy() if order_column == ROW else epoch_nanoseconds(column)
        return np.where(order < cuts[0], 0, np.where(order < cuts[1], 1, 2)).astype(np.int8)
    if split.method == "group":
        keys = _group_keys(frame[split.group_column])
        return keys.map(groups).to_numpy(dtype=np.int8)
    draws = uniform(frame[ROW], seed)
    test, validation = split.test_fraction, split.validation_fraction
    parts = np.where(draws < test, 2, np.where(draws < test + validation, 1, 0))
    return parts.astype(np.int8)


def group_table(rows: dd.DataFrame, group_column: str, order_column: str) -> dd.DataFrame:
    """Per group (missing values one group, as the pandas split has it): its rows, and where
    it first appears (its least order value, then its least ROW). Gathered: one line a
    group, as many as entities at most when the groups are the entities."""
    groups = rows[group_column].map_partitions(_group_keys, meta=(group_column, object))
    keyed = rows[[ROW]].assign(__group__=groups)
    keyed["__order__"] = rows[order_column].map_partitions(_order_values, meta=(ROW, "int64"))
    return keyed.groupby("__group__").agg({ROW: ["count", "min"], "__order__": "min"})


def group_parts(table: pd.DataFrame, rows: int, split: SplitConfig, seed: int) -> pd.Series:
    """Each group's part, as the pandas split gives it (core/data.py `group_parts`, on the
    groups in order of first appearance); `table` is `group_table`'s, gathered."""
    table = pd.DataFrame(
        {
            "rows": table[(ROW, "count")],
            "first": table[("__order__", "min")],
            "first_row": table[(ROW, "min")],
        }
    ).sort_values(["first", "first_row"], kind="stable")
    n_test = int(round(rows * split.test_fraction))
    n_validation = int(round(rows * split.validation_fraction))
    rng = np.random.default_rng(seed)
    parts = data_group_parts(table["rows"].to_numpy(), n_test, n_validation, rng)
    return pd.Series(parts, index=table.index)


_MISSING_GROUP = "\x00<missing>"


def _group_keys(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna(_MISSING_GROUP).astype(object)


def _order_values(values: pd.Series) -> pd.Series:
    """An order column (a time, or ROW) as int64, a missing time last."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(epoch_nanoseconds(values), index=values.index)
    return values.astype("int64")


def time_sorted(frame: pd.DataFrame, time_column: str | None) -> pd.DataFrame:
    """A partition's rows in time, ties in file order: as `time_ordered` orders a file."""
    order = [time_column, ROW] if time_column is not None else [ROW]
    return frame.sort_values(order, kind="stable")


# Featurising by entity -------------------------------------------------------------------


@dataclass(frozen=True)
class Shipped:
    """What each partition's task is given, sent to every worker once (not with each task):
    the scoring model, whose history is where each entity starts (None when training), and
    what the step needs besides (training: the split's parts of the groups)."""

    model: Any = None
    data: Any = None


# A step on one partition of whole entities in time: (rows, their history as it stands,
# `Shipped`) -> the partition's result. It computes the domain features (`domain_features`).
Step = Callable[[pd.DataFrame, Any, Shipped], pd.DataFrame]


@dataclass(frozen=True)
class Featurising:
    """How the rows of a staged file are featurised (`by_entity`)."""

    settings: dict
    time_column: str | None
    # Whether to gather every entity's history at the end (training: the model's history).
    keep_history: bool = False
    # Whether there are domain features (`feature_engineering` not `none`): no history else.
    engineered: bool = True
    # Partitions at least (twice the workers: each has work); and whether to mix rows from
    # the whole file into every partition even without entities (training: then each
    # worker holds train and validation rows, which `xgboost.dask` needs of every worker).
    partitions: int = 1
    spread: bool = False


def by_entity(
    staged: Staged,
    how: Featurising,
    step: Step,
    meta: pd.DataFrame,
    shipped: Shipped | None = None,
) -> tuple[dd.DataFrame, list[Any]]:
    """`step`'s results on the staged rows, each partition holding whole entities in time
    order, and the histories' pieces (delayed dicts of key to state) to gather.

    Nothing is computed yet: compute the frame and the pieces together (`dask.compute`),
    or every partition is featurised twice.
    """
    frame = staged.frame()
    sent = dask.delayed(shipped or Shipped(), pure=True)
    pieces: list[Any] = []
    if staged.has_shared:
        frame, pieces = _shared_states(frame, how, sent)
    if staged.has_entities or how.spread:
        frame = frame.shuffle(ENTITY_KEY, npartitions=max(frame.npartitions, how.partitions))
    elif frame.npartitions < how.partitions:
        frame = frame.repartition(npartitions=how.partitions)
    tasks = [
        dask.delayed(_entity_partition, nout=2)(part, how, sent, step, staged.has_shared)
        for part in frame.to_delayed()
    ]
    results = dd.from_delayed([task[0] for task in tasks], meta=meta, verify_meta=False)
    if how.keep_history:
        pieces += [task[1] for task in tasks]
    return results, pieces


def _entity_partition(
    frame: pd.DataFrame, how: Featurising, shipped: Shipped, step: Step, shared: bool
) -> tuple[pd.DataFrame, dict[str, Any]]:
    frame = time_sorted(frame, how.time_column)
    history = features.new_history(how.settings) if how.engineered else None
    start = None if shipped.model is None else shipped.model.history
    if history is not None and start is not None:
        keys = frame[ENTITY_KEY].unique().tolist()
        _copy_states(start, history, [k for k in keys if not k.startswith(_NO_ENTITY)])
    result = step(frame, history, shipped)
    if not how.keep_history or history is None:
        return result, {}
    return result, _states(history, _is_entity_key if shared else None)


def domain_features(frame: pd.DataFrame, history: Any, settings: dict) -> pd.DataFrame:
    """The domain features of a partition's time-sorted rows, from `history` (updated).

    `features.engineer_features` itself, unless the rows carry shared state (SHARED_STATE):
    then each row is featurised with `features.row_features` after its shared state is put
    back as it stood before the row.
    """
    if SHARED_STATE not in frame.columns:
        return features.engineer_features(frame, history)
    names = features.feature_names(settings)
    values = []
    rows = typed_rows(frame)
    for row, key, state in zip(rows, frame[SHARED_KEY], frame[SHARED_STATE], strict=True):
        if key is not None:
            features.set_state(history, key, json.loads(state))
        values.append(features.row_features(row, history))
    matrix = np.array(values, dtype=np.float64).reshape(len(frame), len(names))
    return pd.DataFrame(matrix, index=frame.index, columns=names)


def _shared_states(
    frame: dd.DataFrame, how: Featurising, shipped: Any
) -> tuple[dd.DataFrame, list[Any]]:
    """SHARED_STATE of every row: the rows sorted in time across partitions, then one
    partition after the other, each given the shared state the one before left.

    In sequence, not in parallel: a shared key may have few values (fraud detection's
    merchant categories), and a partition per value would hold a tenth of the data. A
    partition at a time holds a partition's rows and the shared state only.
    """
    if how.time_column is not None:
        frame = frame.sort_values([how.time_column, ROW])  # a time stays in one partition
    else:
        frame = frame.sort_values(ROW)
    meta = frame._meta.assign(**{SHARED_STATE: pd.Series(dtype=object)})
    states = dask.delayed(_starting_shared_states)(shipped)
    parts = []
    for part in frame.to_delayed():
        result = dask.delayed(_shared_partition, nout=2)(part, how, states)
        parts.append(result[0])
        states = result[1]
    ordered = dd.from_delayed(parts, meta=meta, verify_meta=False)
    return ordered, [states] if how.keep_history else []


def _starting_shared_states(shipped: Shipped) -> dict[str, Any]:
    """The state shared across entities where scoring starts: the model's (none to train)."""
    history = None if shipped.model is None else shipped.model.history
    return {} if history is None else _states(history, _is_shared_key)


def _shared_partition(
    frame: pd.DataFrame, how: Featurising, states: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    frame = time_sorted(frame, how.time_column)
    history = features.new_history(how.settings)
    for key, state in states.items():
        features.set_state(history, key, json.loads(json.dumps(state)))
    before = []
    rows = typed_rows(frame)
    for row, key, entity in zip(rows, frame[SHARED_KEY], frame[ENTITY_KEY], strict=True):
        before.append(None if key is None else json.dumps(features.get_state(history, key)))
        features.row_features(row, history)
        # The entity's own state is the entity pass's: this pass keeps the shared state only.
        if not entity.startswith(_NO_ENTITY):
            features.set_state(history, entity, None)
    frame = frame.assign(**{SHARED_STATE: pd.Series(before, index=frame.index, dtype=object)})
    return frame, _states(history, _is_shared_key)


def _is_entity_key(key: str) -> bool:
    """Whether a state key is an entity's (`features.ENTITY` and a colon), not shared."""
    return key.startswith(f"{features.ENTITY}:")


def _is_shared_key(key: str) -> bool:
    return not _is_entity_key(key)


def _states(history: Any, keep: Callable[[str], bool] | None = None) -> dict[str, Any]:
    """The states `history` holds, by key: those whose key `keep` accepts (default all)."""
    return {
        key: features.get_state(history, key)
        for key in features.state_key_list(history)
        if keep is None or keep(key)
    }


def _copy_states(source: Any, target: Any, keys: list[str]) -> None:
    """The states of `keys` from one history into another, copied (through JSON, which the
    features' contract says round trips them exactly)."""
    for key in keys:
        state = features.get_state(source, key)
        if state is not None:
            features.set_state(target, key, json.loads(json.dumps(state)))


def merged_history(settings: dict, pieces: list[dict[str, Any]]) -> Any:
    """One history from the pieces of the partitions' histories (each key in one piece)."""
    history = features.new_history(settings)
    for piece in pieces:
        for key, state in piece.items():
            features.set_state(history, key, state)
    return history


def with_features(frame: pd.DataFrame, engineered: pd.DataFrame) -> pd.DataFrame:
    """The rows with their domain features, under FEATURE_PREFIX (to be kept in Parquet);
    the shared state they were computed from is left behind."""
    frame = frame.drop(columns=[SHARED_STATE], errors="ignore")
    return pd.concat([frame, engineered.add_prefix(FEATURE_PREFIX)], axis=1)


def inputs_of(frame: pd.DataFrame, spec: InputSpec) -> pd.DataFrame:
    """Model inputs of rows that carry their domain features (`with_features`), by the
    bundle's own `model_inputs`."""
    engineered = None
    if spec.feature_engineering != "none":
        names = [name for name in frame.columns if name.startswith(FEATURE_PREFIX)]
        engineered = frame[names].rename(columns=lambda n: n[len(FEATURE_PREFIX) :])
    return model_inputs(frame, spec, None, engineered)


# What the whole data decides ------------------------------------------------------------


def drawn(frame: dd.DataFrame, rows: int, limit: int, seed: int, by: str = ROW) -> dd.DataFrame:
    """About `limit` of the `rows` rows of `frame`, drawn by a seeded hash of `by` (ROW:
    rows; ENTITY_KEY: whole entities); all of them when they are no more. To gather."""
    if rows <= limit:
        return frame
    share = limit / rows
    return frame[frame[by].map_partitions(_drawn, seed, share, meta=(by, bool))]


def _drawn(values: pd.Series, seed: int, share: float) -> pd.Series:
    return pd.Series(uniform(values, seed) < share, index=values.index)


def statistics_record(frame: dd.DataFrame, columns: dict[str, ColumnSpec]) -> dict[str, Any]:
    """statistics.statistics_record's figures, computed on the cluster in one pass and put in
    its form by `statistics_from_figures` (the median is Dask's approximate quantile; ties
    among the most frequent values may be ordered differently)."""
    wanted: dict[str, dict[str, Any]] = {}
    for name, spec in columns.items():
        if name not in frame.columns:
            continue
        values = frame[name]
        wanted[name] = {"missing": values.isna().sum()}
        if spec.type in ("int", "float"):
            numbers = values.astype("float64").dropna()
            wanted[name].update(
                count=numbers.count(),
                mean=numbers.mean(),
                std_dev=numbers.std(ddof=0),
                num_zeros=(numbers == 0).sum(),
                min=numbers.min(),
                median=numbers.quantile(0.5),
                max=numbers.max(),
            )
        elif spec.type == "datetime":
            wanted[name].update(min=values.min(), max=values.max())
        else:
            counts = values.dropna().astype("string").value_counts(split_out=True)
            wanted[name].update(unique=counts.size, top=counts.nlargest(TOP_VALUES))
    rows, figures = dask.compute(frame[ROW].count(), wanted)
    return statistics_from_figures(int(rows), columns, figures)


def fit_booster(
    training: TrainingConfig,
    spec: InputSpec,
    y_train: np.ndarray,
    train: tuple[dd.DataFrame, dd.Series],
    valid: tuple[dd.DataFrame, dd.Series],
) -> xgb.Booster:
    """`fitting.fit_booster` on the cluster: the same parameters (`booster_params`, with the
    task's objective from all training labels `y_train`), trained by `xgboost.dask` on
    the workers' partitions, stopped early on the validation rows; the best rounds only.

    The histogram's bins are sketched per worker and merged, so the trees differ slightly
    from one machine's (and with how partitions fall on workers).
    """
    from distributed import get_client
    from xgboost import dask as dxgb

    client = get_client()
    params = booster_params(training, spec, y_train)
    bins = int(params.get("max_bin", 256))
    dtrain = dxgb.DaskQuantileDMatrix(
        client, train[0], train[1], enable_categorical=True, max_bin=bins
    )
    dvalid = dxgb.DaskQuantileDMatrix(
        client, valid[0], valid[1], enable_categorical=True, max_bin=bins, ref=dtrain
    )
    output = dxgb.train(
        client,
        params,
        dtrain,
        num_boost_round=training.max_rounds,
        evals=[(dvalid, "validation")],
        early_stopping_rounds=training.early_stopping_rounds,
        verbose_eval=False,
    )
    booster = output["booster"]
    return booster[: booster.best_iteration + 1]
