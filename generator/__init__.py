"""mlops-new: generate a complete MLOps reference project for a use case.

    >>> from generator import create_project, list_use_cases
    >>> "fraud-detection" in [u.name for u in list_use_cases() if u.available]
    True
    >>> project = create_project("fraud-detection", "my-fraud-project")  # doctest: +SKIP
    >>> project.package_name  # doctest: +SKIP
    'my_fraud_project'

The same as `mlops-new fraud-detection my-fraud-project` on the command line, or as
`copier copy <this repository> my-fraud-project --data use_case=fraud-detection`.
`update_project("my-fraud-project")` (`mlops-new update`) later brings the project to the
installed version of the template, keeping its edits (docs/updating.md). Every error
meant for a person derives from `UserError` and carries a message that says what to do.
"""

from __future__ import annotations

from ._create import GeneratedProject, create_project
from ._update import UpdateResult, VersionCheck, check_project, update_project
from .errors import (
    DestinationError,
    InferenceError,
    InvalidNameError,
    MlopsNewError,
    TemplateError,
    UnknownUseCaseError,
    UpdateError,
    UseCaseUnavailableError,
    UserError,
)
from .usecases import UseCase, list_use_cases

__all__ = [
    "DestinationError",
    "GeneratedProject",
    "InferenceError",
    "InvalidNameError",
    "MlopsNewError",
    "TemplateError",
    "UnknownUseCaseError",
    "UpdateError",
    "UpdateResult",
    "UseCase",
    "UseCaseUnavailableError",
    "UserError",
    "VersionCheck",
    "check_project",
    "create_project",
    "list_use_cases",
    "update_project",
]
