"""Blessings, as TFX writes them: a folder holding a marker file and the record behind it.

    model_blessing/   the Evaluator's: BLESSED or NOT_BLESSED, with the gate's checks and the
                      figures they judged (jobs/evaluate.py). Written beside the candidate;
                      a registered version keeps its own copy, sealed with its files.
    infra_blessing/   the InfraValidator's: INFRA_BLESSED or INFRA_NOT_BLESSED, with what the
                      packaged service did (jobs/infra_validate.py). Kept per version beside
                      the model store: it is written after registration.

Each `blessing.json` names the model files it judged by their fingerprint (`content`), so a
blessing never vouches for other files. The Pusher (`promote`, jobs/promotion.py) reads both.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import UserError

MODEL_BLESSING = "model_blessing"
INFRA_BLESSING = "infra_blessing"
# TFX's marker files: (blessed, not blessed).
MARKERS = {
    MODEL_BLESSING: ("BLESSED", "NOT_BLESSED"),
    INFRA_BLESSING: ("INFRA_BLESSED", "INFRA_NOT_BLESSED"),
}
# Which TFX component writes each blessing, for messages.
COMPONENTS = {MODEL_BLESSING: "Evaluator", INFRA_BLESSING: "InfraValidator"}
RECORD_FILE = "blessing.json"


class BlessingError(UserError, RuntimeError):
    """A blessing folder cannot be read as one; the message names it and what to run."""


@dataclass(frozen=True)
class Blessing:
    kind: str
    blessed: bool
    # The fingerprint of the model files judged (registry.content_fingerprint).
    content: str
    # Why not, one line each (empty when blessed).
    reasons: list[str] = field(default_factory=list)
    # The figures behind the verdict (checks, latencies, the bento served, ...).
    details: dict[str, Any] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def marker(self) -> str:
        blessed, not_blessed = MARKERS[self.kind]
        return blessed if self.blessed else not_blessed

    @property
    def component(self) -> str:
        return COMPONENTS[self.kind]


def write_blessing(parent: Path, blessing: Blessing) -> Path:
    """Write `blessing` to `parent/<kind>/` (replacing an earlier one); return that folder."""
    folder = parent / blessing.kind
    staging = parent / f".{blessing.kind}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / RECORD_FILE).write_text(
        json.dumps(asdict(blessing), indent=2, default=str) + "\n", encoding="utf-8"
    )
    (staging / blessing.marker).touch()
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return folder


def read_blessing(parent: Path, kind: str) -> Blessing | None:
    """The blessing of `kind` in `parent`, or None if there is none."""
    folder = parent / kind
    if not folder.is_dir():
        return None
    try:
        record = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
        blessing = Blessing(**record)
    except (OSError, ValueError, TypeError) as error:
        raise BlessingError(
            f"{folder} is not a readable blessing ({error}): run the {COMPONENTS[kind]} again"
        ) from None
    markers = {name for name in MARKERS[kind] if (folder / name).is_file()}
    if blessing.kind != kind or markers != {blessing.marker}:
        raise BlessingError(
            f"{folder}: its marker files {sorted(markers)} disagree with {RECORD_FILE}: "
            f"run the {COMPONENTS[kind]} again"
        )
    return blessing
