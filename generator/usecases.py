"""The use cases: one per `scenarios/<name>/scenario.yml` in the template."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import TemplateError, UnknownUseCaseError, UseCaseUnavailableError
from .template import template_root

__all__ = [
    "UseCase",
    "get_use_case",
    "list_use_cases",
    "nearest_name",
    "unknown_use_case_message",
]


@dataclass(frozen=True)
class UseCase:
    """A use case, as its `scenario.yml` describes it."""

    name: str
    """The scenario folder's name, which is also the CLI command: `fraud-detection`."""
    title: str
    domain: str
    summary: str
    """One line for `mlops-new list`."""
    real_dataset: str | None
    """The public dataset `config/real_data.yaml` is written for, if any."""
    available: bool
    """False for a planned use case that cannot be generated yet."""
    task: str | None = None
    """`binary` or `regression`: the kind of prediction (metrics, gate, service answer)."""


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
    if not isinstance(meta, dict):
        raise TemplateError(f"{path} must be a mapping of title, domain, summary, available")
    missing = [key for key in ("title", "domain", "summary", "available") if key not in meta]
    if missing:
        raise TemplateError(f"{path} lacks {', '.join(missing)}")
    if not isinstance(meta["available"], bool):
        raise TemplateError(f"{path}: `available` must be true or false")
    return UseCase(
        name=path.parent.name,
        title=str(meta["title"]),
        domain=str(meta["domain"]),
        summary=" ".join(str(meta["summary"]).split()),
        real_dataset=None if meta.get("real_dataset") is None else str(meta["real_dataset"]),
        available=meta["available"],
        task=None if meta.get("task") is None else str(meta["task"]),
    )
