"""The pipeline's configuration: one YAML file, validated strictly before anything runs.

Every fact about the data (schema, target, time column) and every parameter (training,
evaluation costs, gate, monitoring thresholds) lives in `config/pipeline.yaml`. These pydantic
models reject unknown keys and wrong types, so a typo fails loudly at start-up instead of
silently falling back to a default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_CONFIG = Path("config/pipeline.yaml")


class UserError(Exception):
    """A problem the user can act on. The CLI prints its message (no traceback) and exits 1.

    Every such error of the project derives from it and from the matching built-in error.
    """


class ConfigError(UserError, ValueError):
    """The configuration file is missing or invalid; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    """One declared column: its type and the rules every value must follow."""

    type: Literal["string", "int", "float", "category", "datetime"]
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    allowed: list[str | int | float] | None = None
    # Use the raw column as a model input (categories are encoded in `allowed` order).
    feature: bool = False

    @model_validator(mode="after")
    def _check(self) -> ColumnSpec:
        if self.type == "category" and not self.allowed:
            raise ValueError("a category column needs its `allowed` values")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        if self.feature and self.type in ("string", "datetime"):
            raise ValueError(f"a {self.type} column cannot be a model feature as it is")
        return self


class TruthConfig(_Strict):
    """Where the simulator wrote the true probability of every row (the oracle)."""

    path: Path
    column: str


class DataConfig(_Strict):
    path: Path
    id_column: str | None = None
    time_column: str | None = None
    target: str
    positive_label: str | int | float = 1
    missing_values: list[str] = Field(default_factory=list)
    feature_engineering: Literal["transactions", "none"] = "none"
    truth: TruthConfig | None = None
    columns: dict[str, ColumnSpec]

    @model_validator(mode="after")
    def _check(self) -> DataConfig:
        for role in ("id_column", "time_column", "target"):
            name = getattr(self, role)
            if name is not None and name not in self.columns:
                raise ValueError(f"{role} '{name}' is not declared under data.columns")
        if self.columns[self.target].feature:
            raise ValueError(f"the target '{self.target}' cannot also be a feature")
        if self.feature_engineering == "none" and not self.feature_columns:
            raise ValueError("no column is marked `feature: true` and feature_engineering is none")
        return self

    @property
    def feature_columns(self) -> list[str]:
        """Raw columns that go into the model as they are, in declaration order."""
        return [name for name, spec in self.columns.items() if spec.feature]


class SplitConfig(_Strict):
    # `time`: oldest rows train, the next validate, the most recent test (the default: it is
    # how a model meets the future). `stratified`: a seeded random split keeping the positive
    # rate in every part, for small samples whose positives cluster in time.
    method: Literal["time", "stratified"] = "time"
    validation_fraction: float = Field(0.15, gt=0, lt=0.5)
    test_fraction: float = Field(0.15, gt=0, lt=0.5)


class TrainingConfig(_Strict):
    seed: int = 42
    max_rounds: int = Field(800, ge=1)
    early_stopping_rounds: int = Field(50, ge=1)
    positive_weight: Literal["none", "balanced", "sqrt_balanced"] = "sqrt_balanced"
    params: dict[str, Any] = Field(default_factory=dict)


class Costs(_Strict):
    false_positive: float = Field(ge=0)
    false_negative: float = Field(ge=0)
    true_positive: float = Field(0.0, ge=0)


class GateConfig(_Strict):
    min_pr_auc: float = Field(ge=0, le=1)
    min_roc_auc: float = Field(ge=0, le=1)
    min_recall_at_alert_rate: float = Field(ge=0, le=1)
    max_pr_auc_drop_vs_champion: float = Field(ge=0, le=1)


class EvaluationConfig(_Strict):
    alert_rate: float = Field(gt=0, lt=1)
    costs: Costs
    gate: GateConfig


class RegistryConfig(_Strict):
    model_name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    home: Path = Path(".bentoml")


class ServingConfig(_Strict):
    prediction_log: Path = Path("logs/predictions.sqlite3")
    # What the service answers for a score at or above the threshold, and below it.
    positive_decision: str = "flag"
    negative_decision: str = "pass"


class MonitoringConfig(_Strict):
    column_drift_threshold: float = Field(0.1, gt=0)
    max_drifted_share: float = Field(0.3, gt=0, le=1)
    min_pr_auc: float = Field(ge=0, le=1)
    min_recall_at_threshold: float = Field(ge=0, le=1)
    max_rows: int = Field(20000, ge=100)
    # Fewer rows than this on either side and sampling noise alone decides the verdict:
    # between two samples of the *same* distribution, the normed Wasserstein distance of 500
    # rows reaches 0.15 (99th percentile), above the usual 0.1 threshold; from 1,000 rows it
    # stays below 0.1.
    min_rows: int = Field(1000, ge=50)


class Config(_Strict):
    schema_version: int
    data: DataConfig
    split: SplitConfig = SplitConfig()
    training: TrainingConfig = TrainingConfig()
    evaluation: EvaluationConfig
    registry: RegistryConfig
    serving: ServingConfig = ServingConfig()
    monitoring: MonitoringConfig
    # Folder the paths above are relative to (the project root), and the file this came
    # from (servers started for this configuration are given the same file); not from YAML.
    root: Path = Path(".")
    source: Path | None = None

    def path(self, relative: Path) -> Path:
        """Resolve a configured path against the project root."""
        return relative if relative.is_absolute() else self.root / relative

    @property
    def artifacts_dir(self) -> Path:
        return self.root / "artifacts"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"


def load_config(path: Path = DEFAULT_CONFIG, *, data_path: Path | None = None) -> Config:
    """Read and validate the configuration; `data_path` overrides `data.path`.

    Relative paths in the file are relative to the project root: the parent of the `config/`
    folder holding the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping of settings")
    if data_path is not None:
        raw.setdefault("data", {})["path"] = str(Path(data_path).resolve())
    root = path.resolve().parent
    if root.name == "config":
        root = root.parent
    try:
        return Config(**raw, root=root, source=path.resolve())
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
            for issue in error.errors()
        )
        raise ConfigError(f"{path} is invalid: {problems}") from None
