"""The project's command line: one command per job, nothing more.

Each command parses its options, calls one job function and prints what happened. Errors a
person can fix (bad configuration, invalid data, no model yet, a refused promotion) are
printed as one message with exit code 1; a monitoring breach exits with 1 too, so that a
scheduler can act on it. Nothing heavy is imported at start-up: `--help` stays instant.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

app = typer.Typer(
    help="Train, evaluate, version, serve and monitor the model of this project.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", help="Pipeline configuration file.", dir_okay=False)
]
DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="CSV to use instead of data.path in the configuration."),
]
Command = TypeVar("Command", bound=Callable[..., object])


def user_errors(command: Command) -> Command:
    """Print the errors a user can act on as one line and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: object, **kwargs: object) -> object:
        from .config import UserError

        try:
            return command(*args, **kwargs)
        except UserError as error:
            typer.secho(f"Error: {error}", fg="red", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _size(value: str) -> str:
    """Check --size against the simulator's sizes (imported only when the option is used)."""
    from .simulate import SIZES

    if value not in SIZES:
        raise typer.BadParameter(f"'{value}' is not one of {', '.join(SIZES)}")
    return value


def _config(path: Path, data: Path | None = None):
    from .config import load_config

    return load_config(path, data_path=data)


@app.command()
@user_errors
def simulate(
    size: Annotated[str, typer.Option(help="small, medium or large.", callback=_size)] = "medium",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    production: Annotated[
        bool, typer.Option("--production", help="Simulate the period after training instead.")
    ] = False,
    drift: Annotated[
        bool, typer.Option("--drift", help="Production traffic that has drifted.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace data files simulate did not write.")
    ] = False,
    config: ConfigOption = Path("config/pipeline.yaml"),
) -> None:
    """Simulate a dataset with known ground truth (the oracle's true probabilities)."""
    from .jobs import simulate_data

    files = simulate_data(
        _config(config),
        size=size,
        seed=seed,
        production=production,
        drift=drift,
        overwrite=overwrite,
    )
    typer.echo(
        f"wrote {files.rows:,} rows to {files.data} (positive rate {files.positive_rate:.2%})"
    )
    typer.echo(f"wrote the true probabilities to {files.truth}")


@app.command()
@user_errors
def validate(
    data: DataOption = None,
    scoring: Annotated[bool, typer.Option("--scoring", help="The target may be absent.")] = False,
    config: ConfigOption = Path("config/pipeline.yaml"),
) -> None:
    """Check a CSV against the declared schema; report every violation."""
    from .jobs import validate_data

    settings = _config(config)
    rows = validate_data(settings, data, require_target=not scoring)
    typer.echo(f"{data or settings.path(settings.data.path)}: {rows:,} rows, all valid")


@app.command()
@user_errors
def train(data: DataOption = None, config: ConfigOption = Path("config/pipeline.yaml")) -> None:
    """Train a candidate model (xgboost) and write its bundle to artifacts/candidate."""
    from .train import train as train_job

    result = train_job(_config(config, data))
    typer.echo(
        f"trained on {result.rows:,} rows ({result.positives:,} positive): "
        f"{result.best_iteration + 1} rounds, validation PR AUC {result.validation_pr_auc:.4f}, "
        f"ROC AUC {result.validation_roc_auc:.4f}, threshold {result.threshold:.4f}"
    )
    typer.echo(f"candidate written to {result.bundle}; next: evaluate")


@app.command()
@user_errors
def evaluate(
    data: DataOption = None,
    register: Annotated[bool, typer.Option(help="Register the candidate if it passes.")] = True,
    config: ConfigOption = Path("config/pipeline.yaml"),
) -> None:
    """Compare the candidate with the baseline, the champion and the oracle; gate; register."""
    from .evaluate import evaluate as evaluate_job

    result = evaluate_job(_config(config, data), register=register)
    typer.echo(result.report_path.read_text() if result.report_path else "")
    if not result.passed:
        typer.secho("Gate refused the candidate:", fg="red", err=True)
        for reason in result.reasons():
            typer.secho(f"  {reason}", fg="red", err=True)
        raise typer.Exit(1)
    if result.registered_as:
        typer.echo(f"registered as {result.registered_as}; next: promote")


@app.command()
@user_errors
def promote(
    version: Annotated[
        str | None, typer.Argument(help="Version or tag; default the newest.")
    ] = None,
    config: ConfigOption = Path("config/pipeline.yaml"),
) -> None:
    """Make a registered version the champion that serves."""
    from .promotion import promote as promote_job

    typer.echo(f"champion is now {promote_job(_config(config), version)}")


@app.command()
@user_errors
def rollback(config: ConfigOption = Path("config/pipeline.yaml")) -> None:
    """Restore the previous champion."""
    from .promotion import rollback as rollback_job

    typer.echo(f"rolled back; champion is now {rollback_job(_config(config))}")


@app.command()
@user_errors
def models(config: ConfigOption = Path("config/pipeline.yaml")) -> None:
    """List registered versions, their test metrics and which one serves."""
    from .registry import list_versions

    versions = list_versions(_config(config))
    if not versions:
        typer.echo("no registered model yet: run train, then evaluate")
        return
    columns = {"pr_auc": "PR AUC", "roc_auc": "ROC AUC", "recall_at_alert_rate": "recall@alert"}
    header = "".join(f"{title:>13}" for title in columns.values())
    typer.echo(f"  {'version':34} {'created (UTC)':19}{header}")
    for version in versions:
        marker = "* " if version.is_champion else "  "
        figures = "".join(f"{version.metrics.get(key, float('nan')):13.4f}" for key in columns)
        typer.echo(f"{marker}{version.tag:34} {version.created_at:%Y-%m-%d %H:%M:%S}{figures}")
    typer.echo("* serves now; figures on the held-out rows of each version's evaluation")


@app.command()
@user_errors
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3000,
    config: ConfigOption = Path("config/pipeline.yaml"),
) -> None:
    """Serve the champion over HTTP (BentoML) until interrupted."""
    from .serving import serve_forever

    serve_forever(_config(config), port)


@app.command()
@user_errors
def predict(
    source: Annotated[Path, typer.Argument(help="CSV of rows to score.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the scores.")
    ] = Path("reports/predictions.csv"),
    version: Annotated[
        str | None, typer.Option(help="Version to use; default the champion.")
    ] = None,
    config: ConfigOption = Path("config/pipeline.yaml"),
) -> None:
    """Batch-score a CSV with the champion."""
    from .jobs import predict_file

    scored = predict_file(_config(config), source, output, tag=version)
    typer.echo(f"scored {len(scored):,} rows into {output}")
    typer.echo(scored["decision"].value_counts().to_string())


@app.command()
@user_errors
def label(
    source: Annotated[Path, typer.Argument(help="CSV with the id and target columns.")],
    config: ConfigOption = Path("config/pipeline.yaml"),
) -> None:
    """Attach outcomes that arrived later to logged predictions, by id."""
    from .jobs import attach_labels

    typer.echo(f"attached {attach_labels(_config(config), source):,} labels to logged predictions")


@app.command()
@user_errors
def monitor(
    current: Annotated[
        Path | None, typer.Option(help="CSV of recent rows; default the prediction log.")
    ] = None,
    config: ConfigOption = Path("config/pipeline.yaml"),
) -> None:
    """Drift and quality report (Evidently) against the training reference; exit 1 on breach."""
    from .monitor import run_monitoring

    result = run_monitoring(_config(config), current=current)
    summary = result.summary
    drifted = ", ".join(summary["drift"]["drifted_columns"]) or "none"
    typer.echo(f"{summary['current_rows']:,} recent rows against {summary['reference_rows']:,}")
    typer.echo(f"drifted inputs: {summary['drift']['share']:.0%} ({drifted})")
    if summary["quality"]:
        quality = summary["quality"]
        typer.echo(
            f"quality on {quality['rows']:,} labelled rows: PR AUC {quality['pr_auc']:.4f}, "
            f"recall at threshold {quality['recall_at_threshold']:.4f}"
        )
    for path in (result.html_path, result.quality_html_path, result.json_path):
        if path is not None:
            typer.echo(f"wrote {path}")
    if result.breached:
        typer.secho("Monitoring thresholds breached:", fg="red", err=True)
        for reason in result.reasons:
            typer.secho(f"  {reason}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo("no drift or quality breach")


@app.command()
@user_errors
def build(config: ConfigOption = Path("config/pipeline.yaml")) -> None:
    """Build a deployable bento (service, code and the champion model)."""
    from .serving import build_bento

    typer.echo(f"built bento {build_bento(_config(config))}")


@app.command()
@user_errors
def lifecycle(
    size: Annotated[str, typer.Option(help="small, medium or large.", callback=_size)] = "medium",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    config: ConfigOption = Path("config/pipeline.yaml"),
) -> None:
    """The whole lifecycle: simulate, train, evaluate, promote, serve, predict, monitor."""
    from .lifecycle import run_lifecycle

    run_lifecycle(_config(config), size=size, seed=seed, echo=typer.echo)


if __name__ == "__main__":
    app()
