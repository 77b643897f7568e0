"""Training job: validated data in, a candidate model bundle out.

1. Read and validate the dataset against the declared schema (stops on any violation).
2. Order it in time and build model inputs; domain features use each row's past only.
3. Split by time: the oldest rows train, the next validate, the most recent are held out.
4. Fit xgboost (hist) with the positive class re-weighted and early stopping on the
   validation rows' log loss, all seeded; fit a logistic-regression baseline on the same rows.
5. Choose each model's decision threshold on validation rows by expected cost.
6. Write the candidate bundle (see pipeline.py) and the held-out rows for `evaluate`.

Nothing is registered here: `evaluate` scores the candidate on the held-out rows against the
baseline, the serving champion and the oracle, and only a candidate that passes the gate
enters the model store.
"""

from __future__ import annotations

import dataclasses
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from . import features
from .config import Config
from .data import DataFileError, fingerprint, labels, load_dataset, split_rows
from .metrics import cost_minimising_threshold, pr_auc, roc_auc
from .pipeline import REFERENCE_FILE, PipelineSpec, ScoringPipeline, model_inputs, write_table

HOLDOUT_FILE = "holdout.csv"
MIN_POSITIVES_PER_PART = 5
REFERENCE_ROWS = 20_000


@dataclass(frozen=True)
class TrainingResult:
    bundle: Path
    rows: int
    positives: int
    best_iteration: int
    validation_pr_auc: float
    validation_roc_auc: float
    threshold: float


def candidate_dir(config: Config) -> Path:
    return config.artifacts_dir / "candidate"


def positive_weight(config: Config, y_train: np.ndarray) -> float:
    positives = max(int(y_train.sum()), 1)
    ratio = (len(y_train) - positives) / positives
    return {"none": 1.0, "balanced": ratio, "sqrt_balanced": float(np.sqrt(ratio))}[
        config.training.positive_weight
    ]


def fit_booster(
    config: Config,
    x_train: pd.DataFrame,
    y_train: np.ndarray,
    x_valid: pd.DataFrame,
    y_valid: np.ndarray,
) -> xgb.Booster:
    """Gradient-boosted trees, stopped early on validation log loss; returns the best rounds only.

    Early stopping watches the last metric listed: log loss, because PR AUC on a validation set
    with few positives saturates after a handful of trees and would stop far too early.
    """
    params = {
        "objective": "binary:logistic",
        "eval_metric": ["aucpr", "logloss"],
        "seed": config.training.seed,
        "scale_pos_weight": positive_weight(config, y_train),
        **config.training.params,
    }
    dtrain = xgb.DMatrix(x_train, label=y_train, enable_categorical=True)
    dvalid = xgb.DMatrix(x_valid, label=y_valid, enable_categorical=True)
    booster = xgb.train(
        params,
        dtrain,
        num_boost_round=config.training.max_rounds,
        evals=[(dvalid, "validation")],
        early_stopping_rounds=config.training.early_stopping_rounds,
        verbose_eval=False,
    )
    return booster[: booster.best_iteration + 1]


def fit_baseline(spec: PipelineSpec, x_train: pd.DataFrame, y_train: np.ndarray):
    """The simple baseline: class-weighted logistic regression on the same model inputs."""
    numeric = [name for name in spec.feature_names if name not in spec.categorical_features]
    encode = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), spec.categorical_features),
        ]
    )
    model = make_pipeline(encode, LogisticRegression(class_weight="balanced", max_iter=500))
    categorical_as_text = x_train.astype({name: "object" for name in spec.categorical_features})
    return model.fit(categorical_as_text, y_train)


def baseline_scores(model, spec: PipelineSpec, inputs: pd.DataFrame) -> np.ndarray:
    as_text = inputs.astype({name: "object" for name in spec.categorical_features})
    return model.predict_proba(as_text)[:, 1]


def code_revision(root: Path) -> str | None:
    """The git commit of the project (with `-dirty` when it has uncommitted changes)."""
    if not (root / ".git").exists():
        return None
    result = subprocess.run(
        ["git", "describe", "--always", "--dirty", "--abbrev=12"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or None


def train(config: Config) -> TrainingResult:
    """Train a candidate on `config.data.path` and write its bundle to artifacts/candidate."""
    data_path = config.path(config.data.path)
    frame = load_dataset(config)
    y = labels(frame, config)
    split = split_rows(y, config)
    for part, rows in (("train", split.train), ("validation", split.validation)):
        if y[rows].sum() < MIN_POSITIVES_PER_PART:
            raise DataFileError(
                f"the {part} rows hold {int(y[rows].sum())} positive example(s) of "
                f"'{config.data.target}'; at least {MIN_POSITIVES_PER_PART} are needed: "
                "use more data"
            )

    provisional = PipelineSpec.from_config(config, threshold=0.5)
    history = features.new_history() if provisional.feature_engineering != "none" else None
    inputs = model_inputs(frame, provisional, history)
    x_train, x_valid, x_test = (
        inputs.iloc[rows] for rows in (split.train, split.validation, split.test)
    )
    y_train, y_valid, y_test = y[split.train], y[split.validation], y[split.test]

    booster = fit_booster(config, x_train, y_train, x_valid, y_valid)
    valid_scores = booster.inplace_predict(x_valid)
    costs = config.evaluation.costs
    threshold = cost_minimising_threshold(y_valid, valid_scores, costs)

    baseline = fit_baseline(provisional, x_train, y_train)
    baseline_threshold = cost_minimising_threshold(
        y_valid, baseline_scores(baseline, provisional, x_valid), costs
    )

    spec = dataclasses.replace(provisional, threshold=threshold)
    metadata = {
        "model_name": config.registry.model_name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schema_version": config.schema_version,
        "data": {
            "path": str(data_path),
            "sha256": fingerprint(data_path),
            "rows": len(frame),
            "positives": int(y.sum()),
            "train_rows": len(split.train),
            "validation_rows": len(split.validation),
            "test_rows": len(split.test),
            "test_period": _period(frame, config, split.test),
        },
        "training": {
            "params": {
                **config.training.params,
                "scale_pos_weight": positive_weight(config, y_train),
            },
            "seed": config.training.seed,
            "best_iteration": booster.num_boosted_rounds() - 1,
            "feature_names": spec.feature_names,
        },
        "threshold": threshold,
        "baseline_threshold": baseline_threshold,
        "validation": {
            "pr_auc": pr_auc(y_valid, valid_scores),
            "roc_auc": roc_auc(y_valid, valid_scores),
        },
        "code_revision": code_revision(config.root),
        "versions": {
            "python": platform.python_version(),
            "xgboost": xgb.__version__,
            "scikit-learn": sklearn.__version__,
            "pandas": pd.__version__,
        },
    }

    bundle = candidate_dir(config)
    with tempfile.TemporaryDirectory(dir=config.root) as staging_name:
        staging = Path(staging_name) / "candidate"
        ScoringPipeline(booster, spec, history, metadata).save(staging)
        rng = np.random.default_rng(config.training.seed)
        sample = np.sort(
            rng.choice(
                len(split.validation), min(REFERENCE_ROWS, len(split.validation)), replace=False
            )
        )
        write_table(
            x_valid.iloc[sample],
            staging / REFERENCE_FILE,
            score=valid_scores[sample],
            label=y_valid[sample],
        )
        ids = (
            frame[config.data.id_column].iloc[split.test].to_numpy()
            if config.data.id_column
            else split.test
        )
        write_table(
            x_test,
            staging / HOLDOUT_FILE,
            row_id=ids,
            label=y_test,
            baseline_score=baseline_scores(baseline, provisional, x_test),
        )
        if bundle.exists():
            shutil.rmtree(bundle)
        bundle.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staging, bundle)

    return TrainingResult(
        bundle=bundle,
        rows=len(frame),
        positives=int(y.sum()),
        best_iteration=metadata["training"]["best_iteration"],
        validation_pr_auc=metadata["validation"]["pr_auc"],
        validation_roc_auc=metadata["validation"]["roc_auc"],
        threshold=threshold,
    )


def _period(frame: pd.DataFrame, config: Config, rows: np.ndarray) -> list[str] | None:
    if config.data.time_column is None:
        return None
    times = frame[config.data.time_column].iloc[rows]
    return [str(times.min()), str(times.max())]
