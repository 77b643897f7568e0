"""The whole lifecycle in one job, as `make run` shows it.

simulate -> validate -> train -> evaluate (gate, register) -> promote -> batch scoring ->
serve over HTTP (good and bad requests) -> labels arrive -> monitor normal traffic (passes)
-> monitor drifted traffic (raises the alarm).

It calls the same job functions as the individual commands, and talks to a real BentoML
server over HTTP, so a green run proves the pieces work together.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pandas as pd

from . import jobs, promotion
from .config import Config, UserError
from .evaluate import evaluate
from .train import train

SINGLE_REQUESTS = 20
BATCH_SIZE = 500


class LifecycleError(UserError, RuntimeError):
    """A step did not behave as the lifecycle expects; the message names the step."""


def request_rows(frame: pd.DataFrame, config: Config) -> list[dict]:
    """Rows of a CSV as JSON payloads for the service (the target is not sent)."""
    payload = frame.drop(columns=[config.data.target], errors="ignore")
    return json.loads(payload.to_json(orient="records", date_format="iso"))


def send_traffic(base_url: str, rows: list[dict]) -> list[dict]:
    """Replay rows in time order: the first one by one on /predict, the rest in batches.

    The whole period goes through the service, so that the prediction log (and the feature
    history the service keeps) looks like real traffic over the period, not a few minutes.
    """
    answers = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for row in rows[:SINGLE_REQUESTS]:
            answers.append(_ok(client.post("/predict", json=row)))
        for start in range(SINGLE_REQUESTS, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            answers.extend(_ok(client.post("/predict_batch", json={"rows": batch})))
    return answers


def _ok(response: httpx.Response):
    if response.status_code != 200:
        raise LifecycleError(
            f"{response.request.url.path} answered {response.status_code}: {response.text}"
        )
    return response.json()


def run_lifecycle(
    config: Config, *, size: str = "medium", seed: int = 42, echo: Callable[[str], object] = print
) -> None:
    from .monitor import run_monitoring
    from .serving import start_server

    def step(title: str) -> None:
        echo(f"\n== {title}")

    step(f"1. simulate the training period ({size})")
    simulated = jobs.simulate_data(config, size=size, seed=seed)
    echo(
        f"{simulated.rows:,} rows in {simulated.data}, positive rate {simulated.positive_rate:.3%}"
    )

    step("2. validate against the declared schema")
    echo(f"{jobs.validate_data(config):,} rows valid")

    step("3. train a candidate")
    trained = train(config)
    echo(
        f"{trained.best_iteration + 1} rounds, validation PR AUC {trained.validation_pr_auc:.4f}, "
        f"threshold {trained.threshold:.4f}"
    )

    step("4. evaluate against baseline, champion and oracle; gate; register")
    evaluated = evaluate(config)
    echo(evaluated.report_path.read_text() if evaluated.report_path else "")
    if not evaluated.passed:
        raise LifecycleError("the gate refused the candidate: " + "; ".join(evaluated.reasons()))

    step("5. promote the new version to champion")
    echo(f"champion: {promotion.promote(config, evaluated.registered_as)}")

    step("6. simulate a week of production traffic and batch-score it")
    production = jobs.simulate_data(config, size=size, seed=seed, production=True)
    drifted = jobs.simulate_data(config, size=size, seed=seed, drift=True)
    scored = jobs.predict_file(config, production.data, config.reports_dir / "predictions.csv")
    echo(f"{len(scored):,} rows scored into {config.reports_dir / 'predictions.csv'}")
    echo(scored["decision"].value_counts().to_string())

    step("7. serve the champion over HTTP")
    traffic = pd.read_csv(production.data)
    with start_server(config) as base_url:
        echo(f"server ready at {base_url}")
        answers = send_traffic(base_url, request_rows(traffic, config))
        echo(f"{len(answers)} predictions over HTTP; first: {json.dumps(answers[0])}")
        bad = httpx.post(f"{base_url}/predict", json={"unexpected": "payload"}, timeout=30)
        echo(f"a malformed payload gets {bad.status_code}: {bad.text[:160]}")
        if bad.status_code != 400:
            raise LifecycleError(f"a malformed payload got {bad.status_code}, expected 400")

    step("8. labels arrive: join them to the logged predictions by id")
    echo(f"{jobs.attach_labels(config, production.data):,} predictions labelled")

    step("9. monitor the logged traffic (expected: no breach)")
    normal = run_monitoring(config)
    _print_monitoring(echo, normal)
    step("10. monitor drifted traffic (expected: the alarm fires)")
    alarm = run_monitoring(
        config, current=drifted.data, out_dir=config.reports_dir / "monitoring-drifted"
    )
    _print_monitoring(echo, alarm)
    if not alarm.breached:
        raise LifecycleError("monitoring did not flag the drifted traffic")

    echo("\nDone. Reports: reports/evaluation/evaluation.md, reports/monitoring/report.html")
    echo("Next: `make serve` and send your own requests, or read README.md step by step.")


def _print_monitoring(echo: Callable[[str], object], result) -> None:
    drift = result.summary["drift"]
    echo(f"drifted inputs: {drift['share']:.0%} ({', '.join(drift['drifted_columns']) or 'none'})")
    quality = result.summary.get("quality")
    if quality:
        reference = (quality.get("reference") or {}).get("pr_auc")
        against = f" (reference {reference:.4f})" if reference is not None else ""
        echo(
            f"quality on {quality['rows']:,} labelled rows: PR AUC {quality['pr_auc']:.4f}"
            f"{against}, recall at threshold {quality['recall_at_threshold']:.4f}"
        )
    echo("breach: " + ("; ".join(result.reasons) if result.breached else "none"))
    echo(f"report: {result.html_path}")
