"""The project's model registry: a BentoML model store inside the project, and a champion pointer.

Every model that passes the evaluation gate is registered here as a new, immutable version of
`registry.model_name`, with its lineage (data fingerprint, parameters, metrics, threshold,
schema version, code revision) as BentoML metadata. Which version serves is a separate fact:
the champion pointer, a small JSON file beside the store that records every promotion, so
that `rollback` can restore the previous champion in one step.

The store lives under the project (`registry.home`, `.bentoml` by default), never in the
user's home folder: two projects on one machine do not see each other's models, and deleting
a project deletes its models.

Why the store is passed explicitly: BentoML reads `BENTOML_HOME` once per process, the first
time it needs it, so changing that variable later has no effect, and setting
`BentoMLContainer.bentoml_home` changes a process-wide singleton that other code (and the
models store built from it) may already have cached. The store functions of
`bentoml.models` (`create`, `get`, `list`) take the store as their `_model_store` argument
instead, so each call here names its project's store and one Python process can work with
several projects (the tests do). Processes that BentoML starts itself (`bentoml serve`,
`bentoml build`) find the store through `BENTOML_HOME`, which `bentoml_env` provides.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config, UserError
from .pipeline import (
    HISTORY_FILE,
    METADATA_FILE,
    MODEL_FILE,
    REFERENCE_FILE,
    SPEC_FILE,
    ScoringPipeline,
)

if TYPE_CHECKING:
    from bentoml._internal.models import ModelStore

CHAMPION_FILE = "champion.json"
# Files of a bundle that go into the store; the candidate's hold-out rows stay behind.
REQUIRED_FILES = (MODEL_FILE, SPEC_FILE, METADATA_FILE)
OPTIONAL_FILES = (HISTORY_FILE, REFERENCE_FILE)
NEXT_STEPS = "run the `train`, `evaluate` and `promote` commands first"


class RegistryError(UserError, RuntimeError):
    """The store cannot do what was asked; the message says why and what to do instead."""


@dataclass(frozen=True)
class ModelVersion:
    """One registered version, as `list_versions` reports it."""

    tag: str
    version: str
    created_at: datetime
    metrics: dict[str, float]
    gate: dict[str, Any]
    is_champion: bool
    path: Path


def home(config: Config) -> Path:
    """The project's BentoML home (absolute): `models/` and the champion pointer live here."""
    return config.path(config.registry.home).resolve()


def bentoml_env(config: Config) -> dict[str, str]:
    """Environment variables that point a `bentoml` subprocess at this project's store."""
    return {
        "BENTOML_HOME": str(home(config)),
        "BENTOML_DO_NOT_TRACK": os.environ.get("BENTOML_DO_NOT_TRACK", "True"),
    }


def _store(config: Config) -> ModelStore:
    # BentoML's usage analytics would send an event on every save and create ~/bentoml to
    # do so; a project-local registry should touch neither. A user's own setting wins.
    os.environ.setdefault("BENTOML_DO_NOT_TRACK", "True")
    from bentoml._internal.models import ModelStore

    models = home(config) / "models"
    models.mkdir(parents=True, exist_ok=True)
    return ModelStore(models)


def _flat_lineage(metadata: dict[str, Any]) -> dict[str, Any]:
    """The lineage worth seeing in `bentoml models get`, as flat JSON values.

    The complete record stays in the version's metadata.json; this picks what identifies a
    version at a glance: the data it learnt from, how, how well, and from which code.
    """
    data = metadata.get("data", {})
    training = metadata.get("training", {})
    gate = metadata.get("evaluation", {}).get("gate", {})
    flat: dict[str, Any] = {
        "schema_version": metadata.get("schema_version"),
        "trained_at": metadata.get("created_at"),
        "data_sha256": data.get("sha256"),
        "data_rows": data.get("rows"),
        "threshold": metadata.get("threshold"),
        "code_revision": metadata.get("code_revision"),
        "gate_passed": gate.get("passed"),
        "champion_compared": gate.get("champion_compared"),
    }
    for name, value in training.get("params", {}).items():
        flat[f"params.{name}"] = value
    for name, value in _metrics(metadata).items():
        flat[f"metrics.{name}"] = value
    return {key: value for key, value in flat.items() if value is not None}


def _metrics(metadata: dict[str, Any]) -> dict[str, float]:
    """The model's test-set scorecard from evaluation, else its validation metrics."""
    scorecards = metadata.get("evaluation", {}).get("scorecards", {})
    return dict(scorecards.get("model") or metadata.get("validation") or {})


def register(config: Config, bundle_dir: Path, metadata: dict[str, Any]) -> str:
    """Copy a model bundle into the store as a new version; return its tag ("name:version").

    The copied metadata.json gains a "version" key holding the tag, so a pipeline loaded
    from the store knows which version it is (and the prediction log records it).
    """
    bundle_dir = Path(bundle_dir)
    missing = [name for name in REQUIRED_FILES if not (bundle_dir / name).is_file()]
    if missing:
        raise RegistryError(
            f"cannot register {bundle_dir}: it lacks {', '.join(missing)}; run `train` to "
            "write a complete candidate bundle"
        )
    import bentoml

    store = _store(config)
    lineage = _flat_lineage(metadata)
    labels = {"schema_version": str(metadata.get("schema_version", "unknown"))}
    with bentoml.models.create(
        config.registry.model_name, labels=labels, metadata=lineage, _model_store=store
    ) as model:
        target = Path(model.path)
        for name in REQUIRED_FILES + OPTIONAL_FILES:
            if name != METADATA_FILE and (bundle_dir / name).is_file():
                shutil.copy2(bundle_dir / name, target / name)
        tag = str(model.tag)
        record = {**metadata, "version": tag}
        (target / METADATA_FILE).write_text(json.dumps(record, indent=2, default=str))
    return tag


def list_versions(config: Config) -> list[ModelVersion]:
    """Every registered version of `registry.model_name`, oldest first."""
    from bentoml.exceptions import NotFound

    try:
        stored = _store(config).list(config.registry.model_name)
    except NotFound:
        return []
    champion = champion_tag(config)
    versions = []
    for model in sorted(stored, key=lambda item: item.creation_time):
        lineage = dict(model.info.metadata)
        versions.append(
            ModelVersion(
                tag=str(model.tag),
                version=str(model.tag.version),
                created_at=model.creation_time,
                metrics={
                    key.removeprefix("metrics."): value
                    for key, value in lineage.items()
                    if key.startswith("metrics.")
                },
                gate={
                    "passed": lineage.get("gate_passed"),
                    "champion_compared": lineage.get("champion_compared"),
                },
                is_champion=str(model.tag) == champion,
                path=Path(model.path),
            )
        )
    return versions


def load(config: Config, reference: str | None = None) -> ScoringPipeline:
    """A registered version (default: the champion; see `resolve`) as a loaded pipeline."""
    return ScoringPipeline.load(model_path(config, resolve(config, reference)))


def model_path(config: Config, tag: str) -> Path:
    """The folder of a registered version (a loadable bundle); RegistryError if unknown."""
    from bentoml.exceptions import BentoMLException, NotFound

    name, _, version = tag.partition(":")
    if name != config.registry.model_name or not version:
        raise RegistryError(_unknown(config, tag))
    try:
        return Path(_store(config).get(tag).path)
    except NotFound:
        raise RegistryError(_unknown(config, tag)) from None
    except BentoMLException as error:  # an ambiguous version prefix
        raise RegistryError(f"{tag}: {error}") from None


def _unknown(config: Config, tag: str) -> str:
    known = [version.tag for version in list_versions(config)]
    where = home(config) / "models"
    if not known:
        return f"unknown model version '{tag}': the store {where} is empty; {NEXT_STEPS}"
    return f"unknown model version '{tag}' in {where}; registered: {', '.join(known)}"


def resolve(config: Config, reference: str | None = None) -> str:
    """A full tag for `reference`: None or "champion", "latest", "name:version" or a version.

    A version may be given by a unique prefix, as `bentoml models list` shows them.
    """
    if reference is None or reference == "champion":
        champion = champion_tag(config)
        if champion is None:
            raise RegistryError(f"no champion model in {home(config)}: {NEXT_STEPS}")
        return champion
    versions = list_versions(config)
    if reference == "latest":
        if not versions:
            raise RegistryError(f"no registered model in {home(config)}: {NEXT_STEPS}")
        return versions[-1].tag
    name, _, version = reference.rpartition(":")
    if name and name != config.registry.model_name:
        raise RegistryError(
            f"'{reference}' names model '{name}', but this project's model is "
            f"'{config.registry.model_name}' (registry.model_name)"
        )
    matches = [item.tag for item in versions if item.version.startswith(version.lower())]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise RegistryError(f"'{reference}' matches several versions: {', '.join(matches)}")
    raise RegistryError(_unknown(config, reference))


# The champion pointer ---------------------------------------------------------------------


def _pointer_path(config: Config) -> Path:
    return home(config) / CHAMPION_FILE


def _promotions(config: Config) -> list[dict[str, str]]:
    """This model's promotion history, oldest first: [{"tag", "promoted_at"}, ...]."""
    path = _pointer_path(config)
    if not path.is_file():
        return []
    try:
        pointer = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise RegistryError(
            f"the champion pointer {path} is not valid JSON ({error}); restore it from version "
            "control or delete it and `promote` a version again"
        ) from None
    return list(pointer.get(config.registry.model_name, []))


def _write_promotions(config: Config, history: list[dict[str, str]]) -> None:
    """Replace the pointer atomically: a reader sees the old file or the new one, never half."""
    path = _pointer_path(config)
    pointer: dict[str, Any] = {}
    if path.is_file():
        pointer = json.loads(path.read_text(encoding="utf-8"))
    pointer[config.registry.model_name] = history
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=".champion-", suffix=".json", delete=False, encoding="utf-8"
    ) as handle:
        json.dump(pointer, handle, indent=2)
        handle.write("\n")
    os.replace(handle.name, path)


def champion_tag(config: Config) -> str | None:
    """The tag of the version that serves, or None before the first promotion."""
    history = _promotions(config)
    return history[-1]["tag"] if history else None


def promote(config: Config, tag: str) -> None:
    """Make a registered version the champion (recorded in the promotion history)."""
    model_path(config, tag)  # refuses an unknown tag, listing the known ones
    history = _promotions(config)
    if history and history[-1]["tag"] == tag:
        return
    promoted_at = datetime.now(UTC).isoformat(timespec="seconds")
    _write_promotions(config, [*history, {"tag": tag, "promoted_at": promoted_at}])


def rollback(config: Config) -> str:
    """Restore the champion before the current one; return its tag."""
    history = _promotions(config)
    if len(history) < 2:
        current = history[-1]["tag"] if history else "none"
        raise RegistryError(
            f"nothing to roll back to: the champion ({current}) has no predecessor; "
            "`promote` another registered version instead"
        )
    _write_promotions(config, history[:-1])
    return history[-2]["tag"]
