"""TFX's InfraValidator: does the packaged service of a version actually serve it?

The gate (`evaluate`) judges the model; this judges what would serve it. A registered version
is built into a bento (`bentoml build`, as the `build` command does), and the bento is served
in a separate process (`bentoml serve <bento>`, the bento's own code, not this checkout's),
on a free port, with a prediction log (and its key) of its own that is thrown away. Then:

1. it must answer /readyz within `infra_validation.ready_within_s`;
2. each canary request (`infra_validation.canaries`, examples/request.json by default) must
   be answered 200, with what the version answers in this process for the same row (batch
   scoring's path): a packaging mistake, a missing file, another model or other code in the
   bento answers otherwise;
3. the median of `timed_requests` more of each canary must be within
   `latency_budget_ms`;
4. a malformed request must get 400, not a server error.

A canary is sent as a first request right after the version's data ends (its time moved to
the last time of the training data; each copy under an id of its own), so the same example
suits every version of the schema: it is neither older than an entity's history nor beyond
a forecast's horizon.

The verdict is the InfraValidator blessing, INFRA_BLESSED or INFRA_NOT_BLESSED with the
reasons and the figures, kept beside the store for that version (core/blessing.py);
`promote` (the Pusher) refuses a version without it. It is logged as an MLflow run too.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from ..adapters import registry, tracking
from ..adapters.server import ServerError, bento_env, build_bento, start_server
from ..config import DEFAULT_CONFIG, Config
from ..core.blessing import INFRA_BLESSING, Blessing, write_blessing
from ..core.bundle import ScoringPipeline
from ..core.data import load_dataset
from ..errors import UserError
from ..task.answers import answer_columns


class InfraValidationError(UserError, RuntimeError):
    """The infra validation cannot run (a canary file is missing or not a JSON row)."""


@dataclass(frozen=True)
class InfraValidation:
    tag: str
    blessing: Blessing
    # The folder holding the blessing (its marker file and blessing.json).
    folder: Path

    def describe(self) -> list[str]:
        details = self.blessing.details
        lines = [f"InfraValidator: {self.blessing.marker} for {self.tag} ({self.folder})"]
        if details.get("bento"):
            lines.append(
                f"bento {details['bento']} built in {details.get('build_seconds')} s, "
                f"serving in {details.get('ready_seconds')} s"
            )
        for canary in details.get("canaries", []):
            lines.append(
                f"canary {canary['file']}: {canary.get('status')}, median "
                f"{canary.get('median_ms')} ms over {canary.get('timed')} requests"
            )
        return lines


def infra_validate(
    config: Config, reference: str | None = None, *, examples: list[Path] | None = None
) -> InfraValidation:
    """Validate version `reference` (default: the newest) in a server of its bento; write
    and return its InfraValidator blessing."""
    tag = registry.resolve(config, reference or "latest")
    folder = registry.verify(config, tag)  # a damaged version is named, not served
    pipeline = ScoringPipeline.load(folder)
    canaries = read_canaries(config, pipeline, examples)
    content = registry.version_content(config, tag) or registry.content_fingerprint(folder)
    with tracking.run(config, "infra_validate") as run:
        reasons, details = _serve_and_check(config, tag, pipeline, canaries)
        blessing = Blessing(INFRA_BLESSING, not reasons, content, reasons, details)
        written = write_blessing(registry.infra_blessing_home(config, tag), blessing)
        run.set_tags({"version": tag, "infra_blessing": blessing.marker})
        run.log_metrics(
            {
                "blessed": float(blessing.blessed),
                "ready_seconds": details.get("ready_seconds"),
                **{
                    f"median_ms.{Path(canary['file']).stem}": canary.get("median_ms")
                    for canary in details["canaries"]
                },
            }
        )
        run.log_file(written / "blessing.json", "infra_blessing")
    return InfraValidation(tag, blessing, written)


def require_blessing(config: Config, tag: str) -> InfraValidation:
    """`infra_validate` for a job that goes on to promote: InfraValidationError when the
    version is not blessed, with the reasons."""
    validated = infra_validate(config, tag)
    if not validated.blessing.blessed:
        raise InfraValidationError(
            f"the InfraValidator did not bless {tag}: " + "; ".join(validated.blessing.reasons)
        )
    return validated


def read_canaries(
    config: Config, pipeline: ScoringPipeline | None, examples: list[Path] | None
) -> list[tuple[str, dict[str, Any]]]:
    """The canary requests, each dated where the version's data ends (as written without
    `pipeline`). The configured ones are read from the project the bento is built from
    (`_build_context`)."""
    project = _build_context(config)
    paths = examples or [project / path for path in config.infra_validation.canaries]
    canaries = []
    for path in paths:
        try:
            row = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InfraValidationError(
                f"canary {path} cannot be read as JSON ({error}): write one row of your data "
                "there, as POST /predict takes it, or list others under "
                "infra_validation.canaries"
            ) from None
        if not isinstance(row, dict):
            raise InfraValidationError(f"canary {path} is not one JSON object (a request row)")
        name = Path(os.path.relpath(Path(path).resolve(), project.resolve()))
        shown = str(path) if name.parts[0] == ".." else name.as_posix()
        canaries.append((shown, _dated(row, pipeline, config)))
    return canaries


def _dated(row: dict[str, Any], pipeline: ScoringPipeline | None, config: Config) -> dict[str, Any]:
    """`row` with its time moved to the last time of the version's data: a date as ISO 8601,
    a time kept as a number (seconds since some start, say) as that number."""
    if pipeline is None:
        return row
    time_column = config.data.time_column
    period = pipeline.metadata.get("data", {}).get("period")
    if time_column is None or time_column not in row or not period:
        return row
    kind = config.data.columns[time_column].type
    if kind == "datetime":
        last: Any = pd.Timestamp(period[1]).isoformat()
    elif kind in ("int", "float"):
        last = int(float(period[1])) if kind == "int" else float(period[1])
    else:
        return row
    return {**row, time_column: last}


def _copy(row: dict[str, Any], config: Config, number: int) -> dict[str, Any]:
    """The canary under an id of its own: the service answers a known id from its log."""
    id_column = config.data.id_column
    if id_column is None or id_column not in row:
        return row
    value = row[id_column]
    new_id = value + number if isinstance(value, int) else f"{value}-canary-{number}"
    return {**row, id_column: new_id}


def _serve_and_check(
    config: Config, tag: str, pipeline: ScoringPipeline, canaries: list[tuple[str, dict]]
) -> tuple[list[str], dict[str, Any]]:
    settings = config.infra_validation
    details: dict[str, Any] = {"canaries": [], "latency_budget_ms": settings.latency_budget_ms}
    context = _build_context(config)
    started = time.perf_counter()
    try:
        bento = build_bento(config, tag=tag, context=context)
    except ServerError as error:
        return [f"the bento could not be built: {error}"], details
    details.update(bento=bento, build_seconds=round(time.perf_counter() - started, 2))
    with tempfile.TemporaryDirectory(prefix="infra-validate-") as scratch:
        env = bento_env(
            config,
            tag,
            PIPELINE_CONFIG=_config_in_bento(config, context, bento),
            PREDICTION_LOG=str(Path(scratch) / "predictions.sqlite"),
            # That file, even where PREDICTION_LOG_URL names the production log's database;
            # and the state saved with the version, never the shared online store's: the
            # canary's requests must change nothing that production serves from.
            PREDICTION_LOG_URL="",
            ONLINE_STORE_URL="",
            SERVICE_WORKERS="1",
            # A key of its own for that log's hashed columns: without one, the service would
            # make a key file inside the bento it serves (`privacy.key_file` is relative).
            PREDICTION_LOG_KEY=secrets.token_hex(32),
            SHADOW_SCORING="0",
        )
        started = time.perf_counter()
        try:
            with start_server(
                config, tag=tag, bento=(bento, env), timeout=settings.ready_within_s
            ) as url:
                details["ready_seconds"] = round(time.perf_counter() - started, 2)
                reasons = _check_answers(config, url, pipeline, canaries, details)
        except ServerError as error:
            return [f"the service of bento {bento} did not become ready: {error}"], details
    return reasons, details


def _build_context(config: Config) -> Path:
    """The project the bento is built from: the configuration's own, if it has a
    bentofile.yaml, else the one holding this package (a demo or test project beside it)."""
    if (config.root / "bentofile.yaml").is_file():
        return config.root
    return registry.SOURCE_ROOT.parent


def _config_in_bento(config: Config, context: Path, bento: str) -> str:
    """The configuration the bento's service reads: its own copy, if the bento packed the
    configuration file (bentofile.yaml's `include`); else the file itself."""
    source = Path(config.source or config.root / DEFAULT_CONFIG).resolve()
    if source.is_relative_to(context.resolve()):
        inside = source.relative_to(context.resolve())
        name, _, version = bento.partition(":")
        if (registry.home(config) / "bentos" / name / version / "src" / inside).is_file():
            return inside.as_posix()
    return str(source)


def _check_answers(
    config: Config,
    url: str,
    pipeline: ScoringPipeline,
    canaries: list[tuple[str, dict[str, Any]]],
    details: dict[str, Any],
) -> list[str]:
    settings = config.infra_validation
    reasons = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for name, row in canaries:
            first = _copy(row, config, 0)
            response = client.post("/predict", json=first)
            record: dict[str, Any] = {"file": name, "status": response.status_code}
            details["canaries"].append(record)
            if response.status_code != 200:
                reasons.append(
                    f"canary {name} got {response.status_code} ({response.text[:300]}): it "
                    "must be a request this version answers; write one row of its data there"
                )
                continue
            expected = _answer_here(config, pipeline, first)
            wrong = _differences(response.json(), expected)
            if wrong:
                reasons.append(f"canary {name} was answered otherwise than the model: {wrong}")
            timings = []
            for number in range(1, settings.timed_requests + 1):
                began = time.perf_counter()
                timed = client.post("/predict", json=_copy(row, config, number))
                timings.append((time.perf_counter() - began) * 1000)
                if timed.status_code != 200:
                    reasons.append(f"canary {name} got {timed.status_code} on a repeat")
                    break
            median = statistics.median(timings)
            record.update(
                timed=len(timings), median_ms=round(median, 2), max_ms=round(max(timings), 2)
            )
            if median > settings.latency_budget_ms:
                reasons.append(
                    f"canary {name} took {median:.1f} ms (median of {len(timings)}), over the "
                    f"budget of {settings.latency_budget_ms:g} ms "
                    "(infra_validation.latency_budget_ms)"
                )
        malformed = client.post("/predict", json={"not a column": True})
        details["malformed_status"] = malformed.status_code
        if malformed.status_code != 400:
            reasons.append(f"a malformed request got {malformed.status_code}, not 400")
    return reasons


def _answer_here(config: Config, pipeline: ScoringPipeline, row: dict[str, Any]) -> dict:
    """What the version answers for `row` in this process, as batch scoring reads a file."""
    with tempfile.TemporaryDirectory(prefix="canary-") as scratch:
        path = Path(scratch) / "canary.csv"
        pd.DataFrame([row]).to_csv(path, index=False)
        frame = load_dataset(config, path, require_target=False)
    columns = answer_columns(pipeline.predict(frame), pipeline.spec)
    answer = {name: _plain(values.iloc[0]) for name, values in columns.items()}
    return {**answer, "model_version": pipeline.version}


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value JSON would carry."""
    return value.item() if hasattr(value, "item") else value


def _differences(served: dict[str, Any], expected: dict[str, Any]) -> str:
    """The fields where the service's answer differs from this process's, in words."""
    wrong = []
    for name, value in expected.items():
        given = served.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            same = isinstance(given, int | float) and math.isclose(
                float(given), float(value), rel_tol=1e-5, abs_tol=1e-6
            )
        else:
            same = str(given) == str(value)
        if not same:
            wrong.append(f"{name} {given!r}, expected {value!r}")
    return "; ".join(wrong)
