"""Benchmark: onboarding public real datasets nobody here tuned to (issue 13, "Wanted 6").

For each dataset below, as a new user would:

1. generate a project of the matching use case with the schema inference,
   `mlops-new <use-case> DEST --data FILE --target COL`;
2. apply the dataset's hand edits (at most five, kept below as data with the reason for
   each) to the configuration the inference wrote, and count the lines they changed;
3. run the documented path: validate, train, evaluate (the gate), promote, serve one row
   over HTTP (adapters/server.py `start_server`), monitor the file against the reference;
4. fit a plain xgboost for reference: default parameters plus early stopping, on the raw
   columns of the file (less the target, the id, the split's group column and the columns
   the configuration declares known only after the outcome), trained and stopped on the
   project's own train and validation rows and scored on the project's own held-out rows.
   The split is the configuration's: in time where the data has a time column, by group or
   at random otherwise (the table says which).

The Markdown table is printed and written to docs/onboarding.md. A refusal by the gate, or a
step that fails, is a result: it goes in the table with its reason, the run goes on.

The data is not in the repository. Each file is fetched once from its public address,
pinned to a commit and checked against its sha256, into benchmarks/.data/ (ignored by git);
`--data-dir DIR` reads files placed there by hand instead (same names, same checksums).

    .venv/bin/python benchmarks/bench_onboarding.py [--data-dir DIR] [--only NAME ...]

About 15 minutes on 2 cores. Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]  # this checkout's generator

import support  # noqa: E402

from generator.usecases import HeadlineMetric, get_use_case  # noqa: E402

CACHE = HERE / ".data"
TABLE = support.REPO / "docs" / "onboarding.md"
CONFIG = Path("config/pipeline.yaml")
"""The configuration `mlops-new ... --data FILE --target COL` writes from the file."""

RAW = "https://raw.githubusercontent.com"

DELETE = object()
"""An edit's value that removes the key."""


@dataclass(frozen=True)
class Edit:
    """One hand edit of the inferred configuration: a dotted YAML path, its new value, why."""

    path: str
    value: Any
    why: str


@dataclass(frozen=True)
class Dataset:
    name: str
    use_case: str
    file: str
    url: str
    sha256: str
    target: str
    rows: int
    source: str
    licence: str
    edits: tuple[Edit, ...] = ()
    sample: int | None = None
    """Onboard a seeded sample of this many rows (in file order), for the time budget."""


DATASETS = (
    Dataset(
        name="vehicle insurance claims",
        use_case="fraud-detection",
        file="vehicle_insurance_fraud.csv",
        url=f"{RAW}/TeamAlphaTingyu/MachineLearningHW1/ac5721eadbba07613151e6a7ec24287f835721c9/fraud_oracle.csv",
        sha256="8bb5870f82bb78cceb2bee7747c68c2a8d617af4e22b2de55fbb40c214883255",
        target="FraudFound_P",
        rows=15_420,
        source="Angoss `carclaims` (Kaggle `fraud_oracle.csv`), 1994-1996, 6% fraud",
        licence="not stated",
    ),
    Dataset(
        name="auto insurance claims",
        use_case="fraud-detection",
        file="auto_insurance_claims.csv",
        url=f"{RAW}/kcao22/insurance_fraud/a06b26f26ca529644e0dc57e22a85d918c14e10d/insurance_claims.csv",
        sha256="83a434a60e62eb0b2c6ddd4f33f7e6606a8592c151850135d009e49f5081744a",
        target="fraud_reported",
        rows=1_000,
        source="Kaggle `insurance_claims.csv` (fraud_reported Y/N, 25% fraud), 2015",
        licence="not stated (the mirror repository is MIT)",
        edits=(
            Edit(
                "data.time_column",
                "incident_date",
                "the claim's time is the incident's, not the policy's start (1990-2015)",
            ),
        ),
    ),
    Dataset(
        name="hospital readmissions",
        use_case="readmission",
        file="hospital_readmissions.csv",
        url=f"{RAW}/aishuej/dataset/a41fc1aae27fb66ca7ec71476cd0bcb238edb2c2/hospital_readmissions.csv",
        sha256="4266d1aaac1fd22663079628a0e0e886ff35a6b91707bbad171ecee8d409a573",
        target="readmitted",
        rows=25_000,
        source="Kaggle `hospital_readmissions.csv` (dubradave), grouped from UCI Diabetes 130",
        licence="CC0 (Kaggle); UCI source CC BY 4.0",
    ),
    Dataset(
        name="Walmart weekly sales",
        use_case="demand-forecasting",
        file="walmart_weekly_sales.csv",
        url=f"{RAW}/Kartikeraj/Dataset/a41c37599192bb421542c5fbbf93813cfb85ed04/WALMART_SALES_DATA.csv",
        sha256="0846b6941217dd938ceba6ae04650ccbbd01f4877a5f88bfa4dbecda54806c8f",
        target="Weekly_Sales",
        rows=6_435,
        source="Walmart Recruiting (Kaggle): 45 stores, weekly, 2010-2012, dates `05-02-2010`",
        licence="not stated",
    ),
    Dataset(
        name="onion market arrivals",
        use_case="demand-forecasting",
        file="onion_market_arrivals.csv",
        url=f"{RAW}/selva86/datasets/c943fa8851270387c44d26efb0f9c0aac1559e11/MarketArrivals.csv",
        sha256="713b5e5359f00c0e6c30c8d30c12c0796e47f2807b2a151a6324a550d4f4a9a1",
        target="quantity",
        rows=10_227,
        source="NHRDF India via selva86/datasets: monthly arrivals per market, `January-2005`",
        licence="not stated",
    ),
    Dataset(
        name="Chicago taxi trips",
        use_case="ride-pricing",
        file="chicago_taxi_trips.csv",
        url=f"{RAW}/tensorflow/tfx/58435d68d561e9ba6c657a0ec111adba5176ee98/tfx/examples/chicago_taxi_pipeline/data/simple/data.csv",
        sha256="cdaf0b5931442ef47693f408f25a37af710aca23fccb90a78f00930e89548805",
        target="fare",
        rows=15_002,
        source="City of Chicago taxi trips as in tensorflow/tfx; epoch-second start times",
        licence="City of Chicago terms of use (repository Apache-2.0)",
        edits=(
            Edit(
                "data.known_after_outcome",
                ["tips", "trip_seconds"],
                "known once the ride is over, not when the fare is quoted",
            ),
            Edit("data.columns.tips.feature", DELETE, "the tip: see known_after_outcome"),
            Edit("data.columns.trip_seconds.feature", DELETE, "the duration: likewise"),
            Edit(
                "data.exclude_rows",
                {"fare": [0]},
                "free rides (fare 0) are not priced: a quote is for a paid ride",
            ),
            Edit(
                "evaluation.baseline.columns",
                ["trip_miles"],
                "the inferred baseline priced by the tip; a person prices by distance",
            ),
        ),
    ),
    Dataset(
        name="NYC taxi fares",
        use_case="ride-pricing",
        file="nyc_taxi_fares.csv",
        url=f"{RAW}/aishuej/dataset/a41fc1aae27fb66ca7ec71476cd0bcb238edb2c2/taxifare.csv",
        sha256="bceeb3f72bd9e9f2884b8a95a9faccaa5ea70be42eea88da39c1ef81018fb9a3",
        target="amount",
        rows=49_999,
        source="NYC TLC fares 2009-2015 (Kaggle fare-prediction sample), times `... UTC`",
        licence="not stated (NYC TLC data is public)",
        sample=20_000,
    ),
)


@dataclass
class Outcome:
    """What onboarding one dataset gave: the table's row and the notes under it."""

    dataset: Dataset
    lines_edited: int | None = None
    split: str = "n/a"
    gate: str = "n/a"
    headline: str = "n/a"
    reference: str = "n/a"
    served: str = "n/a"
    monitored: str = "n/a"
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


class StepFailed(Exception):
    """A step of the documented path failed: the table shows the step and its last words."""

    def __init__(self, step: str, output: str) -> None:
        lines = [line.strip(" │") for line in output.splitlines() if any(c.isalnum() for c in line)]
        # The error's own line (a message, or a traceback's last exception), else the last.
        errors = [line for line in lines if "Error" in line.split(":", 1)[0]]
        said = (errors or lines or ["no output"])[-1]
        super().__init__(f"{step} failed: {said[:400]}")
        self.step, self.output = step, output


def fetch(dataset: Dataset, data_dir: Path | None) -> Path:
    """The dataset's file, checked against its sha256: from `data_dir`, else the cache,
    else downloaded from its pinned address into the cache."""
    folder = data_dir or CACHE
    path = folder / dataset.file
    if not path.is_file():
        if data_dir is not None:
            raise SystemExit(f"{path} is missing: place it there, or run without --data-dir")
        folder.mkdir(parents=True, exist_ok=True)
        print(f"  fetching {dataset.url}", flush=True)
        with urllib.request.urlopen(dataset.url, timeout=120) as answer:
            path.with_suffix(".part").write_bytes(answer.read())
        path.with_suffix(".part").rename(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != dataset.sha256:
        raise SystemExit(f"{path}: sha256 {digest}, expected {dataset.sha256}")
    return path


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run a step; its exit code and its output (stdout then stderr)."""
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    return done.returncode, done.stdout + done.stderr


def must(step: str, command: list[str], cwd: Path, env: dict[str, str]) -> str:
    code, output = run(command, cwd, env)
    if code != 0:
        raise StepFailed(step, output)
    return output


def infer_project(dataset: Dataset, data: Path, dest: Path) -> Path:
    """Generate the project with the schema inference; the configuration it wrote."""
    command = [sys.executable, "-m", "generator", dataset.use_case, str(dest)]
    options = ["--data", str(data), "--target", dataset.target]
    must("infer", [*command, *options], support.REPO, dict(os.environ))
    return dest / CONFIG


def flow(value: Any) -> Any:
    """A mapping or a list written on one line, as the inferred file writes them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        node = CommentedMap((key, flow(item)) for key, item in value.items())
    elif isinstance(value, list):
        node = CommentedSeq(flow(item) for item in value)
    else:
        return value
    node.fa.set_flow_style()
    return node


def apply_edits(config: Path, edits: tuple[Edit, ...]) -> int:
    """Apply the hand edits to `config`; the number of its lines that changed.

    ruamel.yaml (a dependency of check-jsonschema, in the test extra) keeps the inferred
    file's comments and layout. The count compares the edited document with the unedited
    one, both written by ruamel, so that its own re-spacing of a line counts for nothing.
    """
    if not edits:
        return 0
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 10_000  # never re-wrap a line the inference wrote
    yaml.representer.add_representer(
        type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    document = yaml.load(config.read_text())
    before = io.StringIO()
    yaml.dump(document, before)
    for edit in edits:
        *parents, last = edit.path.split(".")
        node = document
        for key in parents:
            if key not in node:
                raise StepFailed("edit", f"Error: {edit.path}: no {key!r} in {config.name}")
            node = node[key]
        if edit.value is DELETE:
            node.pop(last, None)  # already absent: the inference needed no such edit
        else:
            node[last] = flow(edit.value)
    with config.open("w") as handle:
        yaml.dump(document, handle)
    # A changed line counts once; a removed or an added line counts too.
    after = config.read_text().splitlines()
    matcher = difflib.SequenceMatcher(a=before.getvalue().splitlines(), b=after)
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


# The plain xgboost reference, on the project's own split of the file (jobs/train.py
# `training_rows`: the same rows, the same train, validation and held-out parts).
REFERENCE = """
import json, sys
import numpy as np
import pandas as pd
import xgboost as xgb
from {package}.config import load_config
from {package}.jobs.train import training_rows
from {package}.task import metrics

config = load_config(sys.argv[1], data_path=sys.argv[2])
headline, binary = sys.argv[3], sys.argv[4] == "binary"
rows = training_rows(config, None, ())
frame, y, split = rows.frame, rows.y, rows.split
data = config.data
left_out = {{data.target, data.id_column, config.split.group_column, *data.known_after_outcome}}
# A column empty in every row (a trailing comma's) carries nothing.
x = frame[[c for c in frame.columns if c not in left_out and frame[c].notna().any()]].copy()
for name in x.columns:
    column = x[name]
    if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(column):
        x[name] = (column - column.min()).dt.total_seconds()
    elif pd.api.types.is_bool_dtype(column):
        x[name] = column.astype(float)
    elif not pd.api.types.is_numeric_dtype(column):
        x[name] = column.astype("string").astype("category")
kind = xgb.XGBClassifier if binary else xgb.XGBRegressor
booster = kind(
    n_estimators=2000, early_stopping_rounds=50, enable_categorical=True, tree_method="hist",
    random_state=config.training.seed,
)
booster.fit(
    x.iloc[split.train], y[split.train],
    eval_set=[(x.iloc[split.validation], y[split.validation])], verbose=False,
)
x_test = x.iloc[split.test]
scores = booster.predict_proba(x_test)[:, 1] if binary else booster.predict(x_test)
value = getattr(metrics, headline)(y[split.test], scores)
print(json.dumps({{"value": float(value), "test_rows": len(split.test),
                  "method": config.split.method, "features": len(x.columns)}}))
"""


def onboard(dataset: Dataset, data: Path, python: Path, scratch: Path) -> Outcome:
    """Onboard one dataset along the documented path; what each step gave."""
    outcome = Outcome(dataset)
    use_case = get_use_case(dataset.use_case)
    headline = use_case.headline_metric
    began = time.perf_counter()
    try:
        config = infer_project(dataset, data, scratch / "project")
        project = config.parents[1]
        outcome.lines_edited = apply_edits(config, dataset.edits)
        package = next(p.name for p in (project / "src").iterdir() if p.is_dir())
        env = support.project_env(project, python)
        cli = [str(python), "-m", package]
        options = ["--data", str(data), "--config", str(CONFIG)]
        must("validate", [*cli, "validate", *options], project, env)
        must("train", [*cli, "train", *options], project, env)
        code, output = run([*cli, "evaluate", *options], project, env)
        record_path = project / "reports/evaluation/evaluation.json"
        if code not in (0, 1) or not record_path.is_file():
            raise StepFailed("evaluate", output)
        cards = json.loads(record_path.read_text())["scorecards"]
        outcome.headline = versus(headline, cards["model"], cards["baseline"])
        script = REFERENCE.format(package=package)
        command = [str(python), "-c", script, str(CONFIG), str(data), headline.name, use_case.task]
        reference = json.loads(must("reference", command, project, env).splitlines()[-1])
        outcome.split = f"{reference['method']}, {reference['test_rows']:,} held out"
        outcome.reference = f"{headline.name} {reference['value']:.4f}"
        if code == 1:
            refused = output.split("Gate refused the candidate:")[-1].strip().splitlines()
            checks = [line.strip().removeprefix("FAIL").strip() for line in refused]
            outcome.gate = "refused: " + "; ".join(check_name(check) for check in checks)
            outcome.notes += [f"gate: {check}" for check in checks]
            return outcome
        outcome.gate = "passed"
        must("promote", [*cli, "promote", "--config", str(CONFIG)], project, env)
        script = support.SERVE_ONE_ROW.format(package=package)
        command = [str(python), "-c", script, str(CONFIG), str(data)]
        served = must("serve", command, project, env).strip().splitlines()[-1]
        outcome.served = served.split(" ", 1)[0]
        if not served.startswith("200 "):
            outcome.notes.append(f"serve one row: {served[:300]}")
        monitor = [*cli, "monitor", "--current", str(data), "--config", str(CONFIG)]
        code, output = run(monitor, project, env)
        if code not in (0, 1) or "Error:" in output:
            raise StepFailed("monitor", output)
        outcome.monitored = "breach" if code == 1 else "no breach"
    except StepFailed as failure:
        outcome.notes.append(str(failure))
        print(failure.output[-4000:], file=sys.stderr)
        if outcome.gate == "n/a":
            outcome.gate = f"not reached ({failure.step} failed)"
    finally:
        outcome.seconds = time.perf_counter() - began
    return outcome


def check_name(check: str) -> str:
    """A gate check's name, without its figures: `name: value (must be ...)`."""
    named = re.match(r"(.*): \S+ \(must be", check)
    return named.group(1) if named else check


def versus(headline: HeadlineMetric, model: dict, baseline: dict) -> str:
    """The model's headline figure against the baseline's, and which is better."""
    ours, theirs = model[headline.name], baseline[headline.name]
    if ours == theirs:
        verdict = "tie"
    elif (ours > theirs) == headline.higher_is_better:
        verdict = "model better"
    else:
        verdict = "baseline better"
    return f"{headline.name} {ours:.4f} vs {theirs:.4f} ({verdict})"


def sample(data: Path, rows: int, folder: Path) -> Path:
    """A seeded sample of `rows` data rows of a CSV, in the file's order, header kept."""
    lines = data.read_text().splitlines(keepends=True)
    keep = sorted(random.Random(42).sample(range(1, len(lines)), rows))
    path = folder / data.name
    path.write_text(lines[0] + "".join(lines[i] for i in keep))
    return path


def markdown(outcomes: list[Outcome], command: str, seconds: float) -> str:
    """The table, then each dataset's hand edits and notes."""
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    revision = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=support.REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    lines = [
        "# Onboarding public datasets nobody here tuned to",
        "",
        f"Produced by `{command}` on {today} at commit {revision or 'unknown'}, in "
        f"{seconds / 60:.1f} min on a 2-core machine",
        "(benchmarks/bench_onboarding.py; the data is fetched, pinned by commit and sha256,",
        "never committed). Each dataset: `mlops-new <use case> DEST --data FILE --target COL`,",
        "the hand edits listed below, then validate, train, evaluate (the gate), promote, serve",
        "one row over HTTP, monitor the file. *Model vs baseline* is the project's headline",
        "metric on its held-out rows; *plain xgboost* is xgboost with default parameters and",
        "early stopping on the raw columns (less the target, the id and the columns declared",
        "known after the outcome), on the same train, validation and held-out rows.",
        "",
        "| dataset | source, licence | rows | use case | lines edited | split | gate | "
        "model vs baseline | plain xgboost | serve, monitor |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        d = o.dataset
        edited = "n/a" if o.lines_edited is None else str(o.lines_edited)
        rows = f"{d.rows:,}" + (f" (a sample of {d.sample:,})" if d.sample else "")
        lines.append(
            f"| {d.name} | {d.source}; {d.licence} | {rows} | {d.use_case} | {edited} | "
            f"{o.split} | {o.gate} | {o.headline} | {o.reference} | "
            f"{o.served}, {o.monitored} |"
        )
    lines += ["", "## Hand edits and notes", ""]
    for o in outcomes:
        d = o.dataset
        lines.append(f"- **{d.name}** ({o.seconds:.0f} s, `{d.url}`)")
        if not d.edits:
            lines.append("  - no hand edit")
        for edit in d.edits:
            value = "(removed)" if edit.value is DELETE else json.dumps(edit.value)
            lines.append(f"  - `{edit.path}: {value}`: {edit.why}")
        lines += [f"  - {note}" for note in o.notes]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="read the files placed here by hand")
    parser.add_argument("--only", nargs="*", help="onboard only these datasets (file names)")
    args = parser.parse_args()
    chosen = [d for d in DATASETS if not args.only or d.file in args.only]
    python = support.shared_python()
    began = time.perf_counter()
    outcomes = []
    for dataset in chosen:
        print(f"\n# {dataset.name} ({dataset.use_case})", flush=True)
        data = fetch(dataset, args.data_dir)
        with tempfile.TemporaryDirectory(prefix="onboard-") as scratch:
            if dataset.sample:
                data = sample(data, dataset.sample, Path(scratch))
            outcome = onboard(dataset, data, python, Path(scratch))
        print(f"  gate: {outcome.gate}\n  {outcome.headline}; plain xgboost {outcome.reference}")
        outcomes.append(outcome)
    command = " ".join(["python benchmarks/bench_onboarding.py", *sys.argv[1:]])
    text = markdown(outcomes, command, time.perf_counter() - began)
    print("\n" + text)
    if not args.only:
        TABLE.write_text(text)
        print(f"written to {TABLE.relative_to(support.REPO)}")


if __name__ == "__main__":
    main()
