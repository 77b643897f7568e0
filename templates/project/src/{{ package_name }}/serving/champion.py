"""What the service serves: its configuration and the champion, loaded when it starts.

Loaded when the module is imported, so that a missing or broken model stops `bentoml serve`
at once with a message saying what to run first (in the service's `__init__`, BentoML would
restart the worker again and again, each time with a traceback). The HTTP types
(`serving/messages.py`) are built from this model's schema.

Configuration: `config/pipeline.yaml` (or the file named by `PIPELINE_CONFIG`), and the
champion from the model registry (`MODEL_TAG` serves another registered version). With
`ONLINE_STORE_URL`, the features' state is read from the shared online store
(adapters/online_store.py), which must be seeded and reachable for the service to start.

The champion's files are checked against the checksums written when it was registered
before xgboost reads them (`registry.verify_folder`): a damaged model file stops the service
with a message naming the file, instead of crashing the worker again and again.
"""

from __future__ import annotations

import os
from pathlib import Path

import bentoml

from ..adapters import online_store, registry
from ..config import DEFAULT_CONFIG, Config, ConfigError, load_config
from ..core.bundle import ScoringPipeline
from ..domain import features
from ..errors import UserError


class ServiceStartError(SystemExit):
    """The service cannot start; the message says what to run first.

    A `SystemExit`, so that `bentoml serve` prints the message and stops instead of showing
    a traceback of its own import machinery.
    """


def load_champion(config: Config) -> tuple[str, bentoml.models.BentoModel, ScoringPipeline]:
    """The tag, BentoML model reference and loaded pipeline of the version to serve."""
    try:
        tag = os.environ.get("MODEL_TAG") or registry.champion_tag(config)
    except UserError as error:  # an unreadable champion pointer
        raise ServiceStartError(f"cannot start the service: {error}") from None
    if tag is None:
        raise ServiceStartError(
            f"no champion model in {registry.home(config)}: run the `train`, `evaluate` and "
            "`promote` commands first (or set MODEL_TAG to a registered version)"
        )
    reference = bentoml.models.BentoModel(tag)
    stored = reference.stored
    if stored is None:
        from bentoml._internal.configuration.containers import BentoMLContainer

        raise ServiceStartError(
            f"model {tag} is not in the BentoML store {BentoMLContainer.model_store_dir.get()}: "
            "start the service with the project's `serve` command, or set "
            f"BENTOML_HOME={registry.home(config)}"
        )
    try:
        registry.verify_folder(Path(stored.path), tag)
        pipeline = ScoringPipeline.load(Path(stored.path))
    except UserError as error:
        raise ServiceStartError(f"cannot serve {tag}: {error}") from None
    return tag, reference, pipeline


CONFIG_FILE = Path(os.environ.get("PIPELINE_CONFIG", DEFAULT_CONFIG))
try:
    CONFIG = load_config(CONFIG_FILE)
except ConfigError as error:
    raise ServiceStartError(f"cannot start the service: {error}") from None
MODEL_TAG, MODEL, PIPELINE = load_champion(CONFIG)
SPEC = PIPELINE.spec
try:
    # The features' state in the online store (ONLINE_STORE_URL), seeded and for these
    # features; None keeps it in this process, with the champion's saved history.
    PIPELINE.shared_state = online_store.shared_state(CONFIG, SPEC)
except UserError as error:
    raise ServiceStartError(f"cannot start the service: {error}") from None


def worker_count() -> int:
    """How many worker processes serve (SERVICE_WORKERS, default 1).

    More than one needs the features' state in the online store: each worker would
    otherwise keep a history of its own, and answer from the requests it happened to get.
    """
    value = os.environ.get("SERVICE_WORKERS", "1")
    if not value.isdigit() or int(value) < 1:
        raise ServiceStartError(f"SERVICE_WORKERS must be a whole number from 1, not {value!r}")
    workers = int(value)
    if workers > 1 and PIPELINE.history is not None and PIPELINE.shared_state is None:
        raise ServiceStartError(
            f"cannot start {workers} workers: each would keep its own {features.ENTITY} "
            f"history; set {online_store.URL_VARIABLE} to a seeded Redis (see "
            "`seed-online-store`), or serve with one worker"
        )
    return workers


WORKERS = worker_count()


def bento_envs() -> list[dict[str, str]]:
    """The environment a bento built from the service needs: the same model and config."""
    config_file = CONFIG_FILE.resolve()
    if config_file.is_relative_to(CONFIG.root):
        config_file = config_file.relative_to(CONFIG.root)
    return [
        {"name": "MODEL_TAG", "value": MODEL_TAG},
        {"name": "PIPELINE_CONFIG", "value": config_file.as_posix()},
    ]
