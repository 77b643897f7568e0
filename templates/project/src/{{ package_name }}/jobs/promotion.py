"""Promotion and rollback: which registered version serves.

`promote` is TFX's Pusher: it pushes a version to serving only with both blessings, the
Evaluator's (BLESSED: it passed the gate in `evaluate`, kept sealed in the version) and the
InfraValidator's (INFRA_BLESSED: its bento served the canaries, `infra-validate`), each for
these very model files; without either it refuses, saying which and what to run. It also
checks that the version was compared with the champion serving now: if another version was
promoted since, the comparison is stale and evaluation must run again. Before it reads
anything, it checks the version's files against their checksums (a damaged metadata.json or
model file is named, not parsed), and the registry loads the version once in a child
process before the pointer names it.

Rollback restores the previous champion in one step, after the same integrity checks but
without asking for blessings: that version served before, and a rollback is the way back
when something is wrong, so nothing should stand in its way.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..adapters import registry
from ..config import Config
from ..core.blessing import COMPONENTS, INFRA_BLESSING, MODEL_BLESSING, read_blessing
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
    folder = registry.verify(config, tag)
    unblessed = missing_blessings(config, tag, folder)
    if unblessed:
        raise PromotionRefused(f"{tag} cannot be pushed: " + "; ".join(unblessed))
    metadata = json.loads((folder / registry.METADATA_FILE).read_text())
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


def missing_blessings(config: Config, tag: str, folder: Path) -> list[str]:
    """Why version `tag` (its folder in the store) lacks a blessing the Pusher needs, each
    with what to run; empty when both blessings are there, blessed, for its model files."""
    content = registry.version_content(config, tag)
    found = {
        MODEL_BLESSING: read_blessing(folder, MODEL_BLESSING),
        INFRA_BLESSING: read_blessing(registry.infra_blessing_home(config, tag), INFRA_BLESSING),
    }
    again = {
        MODEL_BLESSING: "train and evaluate a new candidate",
        INFRA_BLESSING: f"run `infra-validate {tag}`",
    }
    problems = []
    for kind, blessing in found.items():
        component = COMPONENTS[kind]
        if blessing is None:
            before = " (it was registered before blessings)" if kind == MODEL_BLESSING else ""
            problems.append(f"it has no {component} blessing{before}: {again[kind]}")
        elif not blessing.blessed:
            why = "; ".join(blessing.reasons) or "no reason recorded"
            problems.append(f"the {component} did not bless it ({why}): {again[kind]}")
        elif content is not None and blessing.content != content:
            problems.append(
                f"its {component} blessing is for other model files: {again[kind]} again"
            )
    return problems


def rollback(config: Config) -> str:
    """Restore the previous champion; return the tag that serves now."""
    return registry.rollback(config)
