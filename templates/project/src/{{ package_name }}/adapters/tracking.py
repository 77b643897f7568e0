"""Experiment tracking in MLflow, and MLflow's model registry kept in step with the project's.

Every `train`, `evaluate`, `retrain` and `monitor` is an MLflow run: its parameters, the
fingerprint of its data, its metrics and its reports (the evaluation report, the model card
and its plots, the monitoring summary). A `retrain` run holds its `train` and `evaluate` as
child runs. Runs go to the project's own store, a SQLite file in `tracking.store`
(mlruns/mlflow.db, its artifacts beside it), unless `MLFLOW_TRACKING_URI` names another
store: a team's tracking server, where everyone's runs sit side by side (README, "Sharing
runs"). `tracking.backend: none` logs nothing.

Which version serves is the champion pointer's fact (adapters/registry.py): the service reads
it from the project's model store, with no MLflow in its image and no server to reach.
MLflow's registry follows it: each version the gate registers becomes a version of the same
registered model (its tag `bentoml_tag` names the store's version), and `promote`, `rollback`
and `propose` move the aliases `champion` and `challenger` *before* they write the pointer.
If MLflow cannot follow, the pointer is not written, so the two never disagree
(docs/design.md, "One source of truth for the serving version").

MLflow is imported here only, when a run or an alias is first needed: the commands that log
nothing (`--help`, `models`, `serve`) start as fast as without it. `promote`, `rollback` and
`propose` import it (`preload`) while a child process loads the version they are about to
name, so that the two waits overlap (cold start).
"""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import importlib
import json
import logging
import math
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..errors import UserError

if TYPE_CHECKING:
    from mlflow import MlflowClient

TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
DATABASE_FILE = "mlflow.db"
ARTIFACTS_DIR = "artifacts"
CHAMPION_ALIAS = "champion"
CHALLENGER_ALIAS = "challenger"
# On each MLflow model version: the model store's tag of the version it mirrors.
VERSION_TAG = "bentoml_tag"
# MLflow keeps a parameter's value up to 6,000 characters.
MAX_PARAM_LENGTH = 6000
# What MLflow accepts in a key; anything else (a column named "amount ($)") becomes "_".
_NOT_IN_KEYS = re.compile(r"[^\w./\- ]")

# The run the current job runs inside (a `retrain` for its `train` and `evaluate`), if any.
_parent_run: contextvars.ContextVar[str | None] = contextvars.ContextVar("parent", default=None)
_clients: dict[str, MlflowClient] = {}


class TrackingError(UserError, RuntimeError):
    """MLflow could not be reached or refused a write; the message says what to do."""


def enabled(config: Config) -> bool:
    return config.tracking.backend == "mlflow"


def tracking_uri(config: Config) -> str:
    """`MLFLOW_TRACKING_URI` if set, else the project's own SQLite store."""
    named = os.environ.get(TRACKING_URI_ENV, "").strip()
    if named:
        return named
    return f"sqlite:///{(config.path(config.tracking.store) / DATABASE_FILE).resolve()}"


def _own_store(config: Config) -> bool:
    return not os.environ.get(TRACKING_URI_ENV, "").strip()


def _fix(config: Config) -> str:
    if _own_store(config):
        return (
            f"check that {config.path(config.tracking.store)} is writable, or set "
            "tracking.backend: none in the configuration to log nothing"
        )
    return (
        f"start the tracking server or correct {TRACKING_URI_ENV}, unset it to log to the "
        "project's own store, or set tracking.backend: none to log nothing"
    )


def _call(config: Config, what: str, function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the MLflow client; its errors become a TrackingError that names the fix."""
    try:
        return function(*args, **kwargs)
    except UserError:
        raise
    except Exception as error:  # MLflow raises MlflowException, requests' and SQLAlchemy's
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise TrackingError(
            f"MLflow at {tracking_uri(config)} could not {what} ({first_line[:300]}): "
            f"{_fix(config)}"
        ) from error


def _quiet() -> None:
    """Settings for MLflow before it is imported."""
    # MLflow's usage telemetry stays off, as BentoML's does (BENTOML_DO_NOT_TRACK).
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    # The store's schema migrations log at INFO on first use; only problems are shown.
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


def preload(config: Config) -> None:
    """Import MLflow's client, and the modules of the project's own store, if this project
    logs to MLflow; open nothing, write nothing.

    Called while a child process loads a version (`registry.trial_load`), which takes about
    as long: on two cores the two run side by side. An import that fails here is ignored:
    it fails again, with its own error, where the client is opened.
    """
    if not enabled(config):
        return
    _quiet()
    modules = ["mlflow"]
    if _own_store(config):  # a SQLite file, opened through MLflow's SQLAlchemy stores
        modules += [
            "mlflow.store.tracking.sqlalchemy_store",
            "mlflow.store.model_registry.sqlalchemy_store",
        ]
    for name in modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _client(config: Config) -> MlflowClient:
    uri = tracking_uri(config)
    if uri not in _clients:
        _quiet()
        if _own_store(config):
            config.path(config.tracking.store).mkdir(parents=True, exist_ok=True)
        from mlflow import MlflowClient

        _clients[uri] = _call(
            config, "open its store", MlflowClient, tracking_uri=uri, registry_uri=uri
        )
    return _clients[uri]


def experiment_name(config: Config) -> str:
    return config.tracking.experiment or config.registry.model_name


def _experiment_id(config: Config, client: MlflowClient) -> str:
    name = experiment_name(config)
    experiment = _call(config, "read the experiment", client.get_experiment_by_name, name)
    if experiment is not None:
        if experiment.lifecycle_stage == "deleted":
            _call(
                config,
                "restore the experiment",
                client.restore_experiment,
                experiment.experiment_id,
            )
        return experiment.experiment_id
    # The project's own store keeps artifacts beside its database, not in ./mlruns of
    # whatever folder a command runs from; a server decides for itself.
    location = None
    if _own_store(config):
        location = (config.path(config.tracking.store) / ARTIFACTS_DIR).resolve().as_uri()
    return _call(
        config, "create the experiment", client.create_experiment, name, artifact_location=location
    )


@dataclass
class Run:
    """One job's MLflow run; every method does nothing when tracking is off (`run_id` None)."""

    config: Config
    run_id: str | None = None

    @property
    def _client(self) -> MlflowClient:
        return _client(self.config)

    def log_params(self, params: Mapping[str, Any]) -> None:
        if self.run_id is None or not params:
            return
        from mlflow.entities import Param

        entries = [
            Param(_key(key), _text(value)[:MAX_PARAM_LENGTH])
            for key, value in _flat(params).items()
        ]
        for start in range(0, len(entries), 100):  # MLflow takes 100 parameters per batch
            self._batch(params=entries[start : start + 100])

    def log_metrics(self, metrics: Mapping[str, Any]) -> None:
        if self.run_id is None:
            return
        from mlflow.entities import Metric

        numbers = {
            key: float(value)
            for key, value in _flat(metrics).items()
            if isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
        }
        if not numbers:
            return
        import time

        now = int(time.time() * 1000)
        entries = [Metric(_key(key), value, now, 0) for key, value in numbers.items()]
        for start in range(0, len(entries), 1000):  # and 1,000 metrics
            self._batch(metrics=entries[start : start + 1000])

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        if self.run_id is None:
            return
        from mlflow.entities import RunTag

        entries = [
            RunTag(_key(key), str(value)) for key, value in tags.items() if value is not None
        ]
        if entries:
            self._batch(tags=entries)

    def log_file(self, path: Path, folder: str | None = None) -> None:
        """Attach a file (a report, a summary) to the run, under `folder`."""
        if self.run_id is not None and path.is_file():
            _call(
                self.config,
                f"store {path.name}",
                self._client.log_artifact,
                self.run_id,
                str(path),
                folder,
            )

    def log_folder(self, path: Path, folder: str | None = None) -> None:
        """Attach a folder's files (a model card and its plots, a model) under `folder`."""
        if self.run_id is not None and path.is_dir():
            _call(
                self.config,
                f"store {path.name}/",
                self._client.log_artifacts,
                self.run_id,
                str(path),
                folder,
            )

    def _batch(self, **entries: Any) -> None:
        _call(self.config, "log to the run", self._client.log_batch, self.run_id, **entries)


@contextmanager
def run(config: Config, kind: str) -> Iterator[Run]:
    """An MLflow run named `kind` for one job, FINISHED if the job returns, FAILED if it raises.

    Inside another job's run (a `retrain`'s `train`), it is that run's child.
    """
    if not enabled(config):
        yield Run(config)
        return
    client = _client(config)
    experiment_id = _experiment_id(config, client)
    parent = _parent_run.get()
    # `mlflow.user`, as MLflow's own runs have it: on a team's server, who ran what.
    tags = {"job": kind, "mlflow.user": _user()}
    if parent:
        tags["mlflow.parentRunId"] = parent
    created = _call(
        config, "start a run", client.create_run, experiment_id, run_name=kind, tags=tags
    )
    run_id = created.info.run_id
    token = _parent_run.set(run_id)
    status = "FAILED"
    try:
        yield Run(config, run_id)
        status = "FINISHED"
    finally:
        _parent_run.reset(token)
        _call(config, "end the run", client.set_terminated, run_id, status)


def _user() -> str:
    """The login name (LOGNAME, USER... then the password database), as MLflow records it."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name: a container's user without an entry
        return "unknown"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _key(name: str) -> str:
    return _NOT_IN_KEYS.sub("_", name)


def _flat(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} as {"a.b": 1}: MLflow's keys are flat."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flat(value, f"{name}."))
        else:
            flat[name] = value
    return flat


# The registry's mirror ------------------------------------------------------------------


def _version(config: Config, tag: str) -> Any | None:
    """The MLflow model version mirroring the store's version `tag`, or None."""
    client = _client(config)
    found = _call(
        config,
        "search the registry",
        client.search_model_versions,
        f"name = '{config.registry.model_name}' and tag.{VERSION_TAG} = '{tag}'",
    )
    return found[0] if found else None


def register_version(config: Config, tag: str, folder: Path, run: Run | None = None) -> str | None:
    """Make the store's version `tag` (its files in `folder`) a version of MLflow's registered
    model, once; return MLflow's version number (None when tracking is off).

    Inside a run, the version's files are attached to the run (`model/`) and the version
    points there; otherwise (a version registered before tracking was on) at `folder`.
    """
    if not enabled(config):
        return None
    existing = _version(config, tag)
    if existing is not None:
        return str(existing.version)
    client = _client(config)
    name = config.registry.model_name
    if not _call(config, "read the registry", client.search_registered_models, f"name = '{name}'"):
        _call(config, "create the registered model", client.create_registered_model, name)
    run_id = run.run_id if run is not None else None
    source = folder.resolve().as_uri()
    if run_id is not None:
        run.log_folder(folder, "model")  # type: ignore[union-attr]
        artifact_uri = _call(config, "read the run", client.get_run, run_id).info.artifact_uri
        source = f"{artifact_uri.rstrip('/')}/model"
    created = _call(
        config,
        "register the version",
        client.create_model_version,
        name,
        source,
        run_id=run_id,
        tags={VERSION_TAG: tag},
    )
    return str(created.version)


def set_alias(config: Config, alias: str, tag: str | None, folder: Path | None = None) -> None:
    """Point MLflow's `alias` at the version mirroring `tag` (registering it from `folder`
    if it is not mirrored yet); None removes the alias."""
    if not enabled(config):
        return
    client = _client(config)
    name = config.registry.model_name
    if tag is None:
        if _call(config, "read the aliases", _alias_version, client, name, alias) is not None:
            _call(
                config,
                f"remove the alias {alias}",
                client.delete_registered_model_alias,
                name,
                alias,
            )
        return
    version = _version(config, tag)
    number = str(version.version) if version is not None else None
    if number is None:
        if folder is None:
            raise TrackingError(f"{tag} has no version in MLflow's registry to point {alias} at")
        number = register_version(config, tag, folder)
    _call(config, f"move the alias {alias}", client.set_registered_model_alias, name, alias, number)


def _alias_version(client: MlflowClient, name: str, alias: str) -> Any | None:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:  # no such alias, or no such registered model yet
        return None


def aliased(config: Config, alias: str) -> str | None:
    """The store's tag of the version MLflow's `alias` names, or None."""
    client = _client(config)
    version = _call(
        config, "read the aliases", _alias_version, client, config.registry.model_name, alias
    )
    return None if version is None else version.tags.get(VERSION_TAG)
