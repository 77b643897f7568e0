"""mlops-new: generate a complete MLOps reference project for a use case.

    >>> from generator import create_project, list_use_cases
    >>> "fraud-detection" in [u.name for u in list_use_cases() if u.available]
    True
    >>> project = create_project("fraud-detection", "my-fraud-project")  # doctest: +SKIP
    >>> project.package_name  # doctest: +SKIP
    'my_fraud_project'

The same as `mlops-new fraud-detection my-fraud-project` on the command line, or as
`copier copy <this repository> my-fraud-project --data use_case=fraud-detection`. Every error
meant for a person derives from `UserError` and carries a message that says what to do.
"""

from __future__ import annotations

from ._create import GeneratedProject, create_project
from .errors import (
    DestinationError,
    InvalidNameError,
    MlopsNewError,
    TemplateError,
    UnknownUseCaseError,
    UseCaseUnavailableError,
    UserError,
)
from .usecases import UseCase, list_use_cases

__all__ = [
    "DestinationError",
    "GeneratedProject",
    "InvalidNameError",
    "MlopsNewError",
    "TemplateError",
    "UnknownUseCaseError",
    "UseCase",
    "UseCaseUnavailableError",
    "UserError",
    "create_project",
    "list_use_cases",
]
