"""The use cases: one per `scenarios/<name>/scenario.yml` in the template.

The keys of scenario.yml and their types are declared in generator/contract.py
(`SCENARIO_KEYS`); a scenario.yml that breaks them is a `TemplateError` naming the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .contract import check_metadata
from .errors import TemplateError, UnknownUseCaseError, UseCaseUnavailableError
from .template import template_root

__all__ = [
    "HeadlineMetric",
    "UseCase",
    "get_use_case",
    "list_use_cases",
    "nearest_name",
    "unknown_use_case_message",
]


@dataclass(frozen=True)
class HeadlineMetric:
    """The metric benchmarks judge a use case's model by."""

    name: str
    higher_is_better: bool


@dataclass(frozen=True)
class UseCase:
    """A use case, as its `scenario.yml` describes it (docs/scenarios.md)."""

    name: str
    """The scenario folder's name, which is also the CLI command: `fraud-detection`."""
    title: str
    domain: str
    summary: str
    """One line for `mlops-new list`."""
    tagline: str
    """A few words copier's `use_case` question shows after the name and domain."""
    readme_summary: str
    """What the model does, for README.md's use-case table."""
    task: str
    """`binary` or `regression`: the kind of prediction (metrics, gate, service answer)."""
    capabilities: tuple[str, ...]
    """What the use case adds to the common template: `forecasting`, `model_card`."""
    real_dataset: str | None
    """The public dataset `config/real_data.yaml` is written for, if any."""
    real_dataset_label: str | None
    """The same in a few words, for README.md's table."""
    real_dataset_file: str | None
    """Its file, relative to `../shared/datasets` beside the repository."""
    headline_metric: HeadlineMetric | None
    available: bool
    """False for a planned use case that cannot be generated yet."""
    workshop: bool = False
    """Whether it has a workshop kit (`mlops-new workshop`): its `workshop` keys are set."""


def list_use_cases(root: Path | None = None) -> list[UseCase]:
    """Every use case of the template (available or planned), sorted by name."""
    root = template_root() if root is None else root
    return [_read(path) for path in sorted((root / "scenarios").glob("*/scenario.yml"))]


def get_use_case(name: str, root: Path | None = None) -> UseCase:
    """The available use case called `name`.

    Raises `UnknownUseCaseError` (with the nearest name) or `UseCaseUnavailableError`.
    """
    use_cases = {use_case.name: use_case for use_case in list_use_cases(root)}
    if name not in use_cases:
        raise UnknownUseCaseError(unknown_use_case_message(name, use_cases))
    use_case = use_cases[name]
    if not use_case.available:
        available = ", ".join(repr(n) for n, u in use_cases.items() if u.available) or "none"
        raise UseCaseUnavailableError(
            f"use case {name!r} ({use_case.title}) is planned but not available yet; "
            f"available now: {available}"
        )
    return use_case


def unknown_use_case_message(name: str, known: Iterable[str]) -> str:
    """`unknown use case 'x'; did you mean 'y'? ...`, the text of `UnknownUseCaseError`."""
    message = f"unknown use case {name!r}; "
    nearest = nearest_name(name, known)
    if nearest is not None:
        message += f"did you mean {nearest!r}? "
    return message + "`mlops-new list` shows them"


def nearest_name(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to `name` (difflib's ratio of at least 0.6), or None."""
    matches = difflib.get_close_matches(name, list(known), n=1)
    return matches[0] if matches else None


def _read(path: Path) -> UseCase:
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise TemplateError(f"{path} is not valid YAML: {error}") from error
    problems = check_metadata(meta, path.parent.name)
    if problems:
        raise TemplateError(f"{path} is malformed: {'; '.join(problems)} (docs/scenarios.md)")
    metric = meta["headline_metric"]
    return UseCase(
        name=path.parent.name,
        title=meta["title"],
        domain=meta["domain"],
        summary=" ".join(meta["summary"].split()),
        tagline=meta["tagline"],
        readme_summary=" ".join(meta["readme_summary"].split()),
        task=meta["task"],
        capabilities=tuple(meta["capabilities"]),
        real_dataset=meta["real_dataset"],
        real_dataset_label=meta["real_dataset_label"],
        real_dataset_file=meta["real_dataset_file"],
        headline_metric=None if metric is None else HeadlineMetric(**metric),
        available=meta["available"],
        workshop=meta["workshop"] is not None,
    )
