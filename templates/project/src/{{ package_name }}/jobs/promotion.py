"""Promotion and rollback: which registered version serves.

A version enters the model store only after passing the gate in `evaluate`. Promotion checks
that verdict once more, and that the version was compared with the champion serving now: if
another version was promoted since, the comparison is stale and evaluation must run again.
Before it reads the verdict, it checks the version's files against their checksums (a
damaged metadata.json or model file is named, not parsed), and the registry loads the
version once in a child process before the pointer names it. Rollback restores the previous
champion in one step, after the same checks.
"""

from __future__ import annotations

import json

from ..adapters import registry
from ..config import Config
from ..core.bundle import METADATA_FILE
from ..errors import UserError


class PromotionRefused(UserError, RuntimeError):
    """The gate's verdict forbids this promotion; the message says why and what to do."""


def promote(config: Config, tag: str | None = None) -> str:
    """Make `tag` (default: the newest registered version) the champion; return its tag."""
    versions = registry.list_versions(config)
    if not versions:
        raise PromotionRefused("no registered model: run `train` and `evaluate` first")
    tag = registry.resolve(config, tag) if tag else versions[-1].tag
    champion = registry.champion_tag(config)
    if tag == champion:
        registry.promote(config, tag)  # changes nothing, but puts MLflow's alias back in step
        return tag
    # As registered (`verify`), or else refused with the name of the file that changed.
    metadata = json.loads((registry.verify(config, tag) / METADATA_FILE).read_text())
    verdict = metadata.get("evaluation", {}).get("gate", {})
    if not verdict.get("passed"):
        raise PromotionRefused(f"{tag} did not pass the gate; see reports/evaluation/evaluation.md")
    compared = verdict.get("champion_compared")
    if compared != champion:
        raise PromotionRefused(
            f"{tag} was evaluated against champion {compared or 'none'}, "
            f"but {champion} serves now: "
            "run `evaluate` again on a fresh candidate, or `rollback` to go back"
        )
    registry.promote(config, tag)
    return tag


def rollback(config: Config) -> str:
    """Restore the previous champion; return the tag that serves now."""
    return registry.rollback(config)
