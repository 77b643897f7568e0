"""The `mlops-new` command: switches mapped onto `create_project`, `list_use_cases` and
`update_project`.

`mlops-new list` shows the use cases; `mlops-new <use-case> [DEST]` generates one (a command
per scenario folder); `mlops-new update [PROJECT]` updates a generated project. A `UserError`
becomes `Error: <message>` on stderr with exit status 1, and so does a file-system error
(`OSError`), in one line; usage errors, an unknown use case among them, exit with status 2.
"""

# No `from __future__ import annotations`: typer evaluates the annotations of the per-use-case
# commands, whose help texts refer to the closure variable `use_case`.
import enum
import shlex
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ._create import create_project
from ._update import check_project, update_project
from .errors import UserError, describe_os_error
from .usecases import UseCase, list_use_cases, nearest_name, unknown_use_case_message

_OTHER_COMMANDS = ["list", "update", "workshop"]
"""The commands that are not use cases."""


class _MlopsNewGroup(TyperGroup):
    """The root command: our message for an unknown command, one handler for UserError."""

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name = args[0] if args else ""
        unknown = name and not name.startswith("-") and self.get_command(ctx, name) is None
        if unknown and not ctx.resilient_parsing:
            use_cases = [n for n in self.list_commands(ctx) if n not in _OTHER_COMMANDS]
            other = nearest_name(name, _OTHER_COMMANDS)
            if nearest_name(name, use_cases) is None and other:
                ctx.fail(f"unknown command {name!r}; did you mean {other!r}?")
            ctx.fail(unknown_use_case_message(name, use_cases))
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(1) from None
        except OSError as error:
            # A file-system failure where no more specific message was given (a full disk
            # during an update, say): one line, not a traceback.
            typer.echo(f"Error: {describe_os_error(error)}", err=True)
            raise typer.Exit(1) from None


class Conflict(enum.StrEnum):
    """How `mlops-new update --conflict` leaves a conflict."""

    inline = "inline"
    rej = "rej"


app = typer.Typer(
    cls=_MlopsNewGroup,
    epilog="Example: mlops-new fraud-detection my-fraud-project",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version() -> str:
    try:
        return version("mlops-new")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"mlops-new {_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show the version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Generate a complete MLOps reference project for a use case.

    `mlops-new list` shows the use cases; `mlops-new <use-case> DEST` generates one.
    """


@app.command("list")
def list_command() -> None:
    """List the use cases, available and planned."""
    rows = [
        (u.name, u.domain, "available" if u.available else "planned", u.summary)
        for u in list_use_cases()
    ]
    header = ("USE CASE", "DOMAIN", "STATUS", "SUMMARY")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        typer.echo("  ".join([*cells, row[3]]))


def _generate(
    use_case: str,
    destination: Path | None,
    name: str | None,
    package: str | None,
    force: bool,
    overwrite: bool,
    data: Path | None = None,
    target: str | None = None,
    workshop: bool = False,
    solutions: bool = False,
    ci: str = "github",
    kubernetes: bool = True,
) -> None:
    destination = Path(use_case) if destination is None else destination
    with _terminate_as_exit():
        project = create_project(
            use_case,
            destination,
            project_name=name,
            package_name=package,
            allow_existing=force or overwrite,
            overwrite=overwrite,
            data=data,
            target=target,
            workshop=workshop,
            solutions=solutions,
            ci=ci,
            kubernetes=kubernetes,
        )
    typer.echo(
        f"Generated {project.project_name!r} ({use_case}, package {project.package_name}) "
        f"in {destination}: {len(project.files)} files."
    )
    if project.update_note:
        typer.echo(f"Note: `mlops-new update` cannot update this project: {project.update_note}")
    for line in project.inferred:
        typer.echo(line)
    typer.echo("Next:")
    typer.echo(f"  cd {shlex.quote(str(destination))}")
    if workshop:
        typer.echo("  make setup && make doctor")
        guide = " and labs/TEACHER.md" if solutions else ""
        typer.echo(f"  then labs/README.md{guide}: lab 1 first, `make check LAB=1` when done")
    elif project.inferred:
        python = f".venv/bin/python -m {project.package_name}"
        typer.echo("  make setup")
        typer.echo(f"  {python} validate && {python} train && {python} evaluate")
    else:
        typer.echo("  make setup && make run")


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """Make SIGTERM (a `kill`, a cancelled CI job) raise SystemExit, as Ctrl-C raises
    KeyboardInterrupt, so that `create_project` stopped part way cleans up after itself (its
    scratch folder, the files moved in so far) instead of dying on the spot."""

    def stop(signum: int, frame: FrameType | None) -> None:
        signal.signal(signum, signal.SIG_IGN)  # a second one must not cut the clean-up short
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# The options of every command that generates a project (each use case's, and `workshop`).
NameOption = Annotated[
    str | None,
    typer.Option(
        "--name", "-n", help="Project name [default: the folder's name]", show_default=False
    ),
]
PackageOption = Annotated[
    str | None,
    typer.Option(
        help="Python package name [default: derived from the project name]", show_default=False
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force", help="Generate into a non-empty folder; existing files are still refused."
    ),
]
OverwriteOption = Annotated[
    bool,
    typer.Option("--overwrite", help="Like --force, and replace existing files of the same name."),
]


class CIProvider(enum.StrEnum):
    """Where the project's CI runs (copier.yml's `ci`)."""

    github = "github"
    gitlab = "gitlab"


CIOption = Annotated[
    CIProvider,
    typer.Option(
        "--ci",
        help="CI service: GitHub Actions (.github/workflows/) or GitLab CI/CD (.gitlab-ci.yml).",
    ),
]
KubernetesOption = Annotated[
    bool,
    typer.Option(
        "--kubernetes/--no-kubernetes",
        help="Kubernetes manifests for the service (deploy/kubernetes/).",
    ),
]


def _add_use_case_command(use_case: UseCase) -> None:
    def generate(
        destination: Annotated[
            Path | None,
            typer.Argument(
                help=f"Folder to create the project in [default: ./{use_case.name}]",
                show_default=False,
            ),
        ] = None,
        name: NameOption = None,
        package: PackageOption = None,
        force: ForceOption = False,
        overwrite: OverwriteOption = False,
        data: Annotated[
            Path | None,
            typer.Option(
                "--data",
                help="Your data (CSV, gzip too, or Parquet): config/pipeline.yaml describes it.",
                show_default=False,
            ),
        ] = None,
        target: Annotated[
            str | None,
            typer.Option(
                "--target", help="With --data: the column to predict.", show_default=False
            ),
        ] = None,
        ci: CIOption = CIProvider.github,
        kubernetes: KubernetesOption = True,
    ) -> None:
        _generate(
            use_case.name,
            destination,
            name,
            package,
            force,
            overwrite,
            data,
            target,
            ci=ci.value,
            kubernetes=kubernetes,
        )

    status = "" if use_case.available else " (planned, not available yet)"
    generate.__doc__ = f"{use_case.title}{status}: {use_case.summary}"
    app.command(use_case.name)(generate)


@app.command("workshop")
def workshop_command(
    use_case: Annotated[
        str, typer.Argument(help="The use case, as `mlops-new list` names it", show_default=False)
    ],
    destination: Annotated[
        Path | None,
        typer.Argument(
            help="Folder to create the kit in [default: ./<use-case>-workshop]",
            show_default=False,
        ),
    ] = None,
    solutions: Annotated[
        bool,
        typer.Option(
            "--solutions",
            help="The reference solutions in place of the exercises, and the teacher's guide.",
        ),
    ] = False,
    name: NameOption = None,
    package: PackageOption = None,
    force: ForceOption = False,
    overwrite: OverwriteOption = False,
) -> None:
    """A workshop kit: the project, plus labs/ with exercises and their checkpoints."""
    if destination is None:
        destination = Path(f"{use_case}-workshop")
    _generate(
        use_case,
        destination,
        name,
        package,
        force,
        overwrite,
        workshop=True,
        solutions=solutions,
    )


@app.command("update")
def update_command(
    project: Annotated[
        Path,
        typer.Argument(help="The generated project's folder [default: .]", show_default=False),
    ] = Path("."),
    to_version: Annotated[
        str | None,
        typer.Option(
            "--to-version",
            help="Template version to update to [default: this mlops-new's version]",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show what would change, in a temporary clone; write nothing."
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Only compare versions: exit 0 when up to date, 1 when behind, 2 on an error.",
        ),
    ] = False,
    conflict: Annotated[
        Conflict,
        typer.Option(
            help="Leave conflicts as markers in the files (inline) or as .rej files (rej)."
        ),
    ] = Conflict.inline,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            "--skip",
            metavar="PATTERN",
            help="Leave files matching this pattern as they are (copier's --skip); repeatable.",
            show_default=False,
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            metavar="PATTERN",
            help="Do not render template files matching this pattern (copier's --exclude); "
            "repeatable.",
            show_default=False,
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            metavar="KEY=VALUE",
            help="Change an answer, KEY=VALUE (copier's --data); repeatable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Update a generated project to this mlops-new's template version, keeping your edits.

    The project must be a clean git tree. Exits 1 when conflicts are left to resolve.
    """
    if check:
        _check(project, to_version)
        return
    result = update_project(
        project,
        to_version=to_version,
        dry_run=dry_run,
        conflict=conflict.value,
        skip=skip or (),
        exclude=exclude or (),
        data=_answers(data or []),
    )
    if result.up_to_date:
        typer.echo(f"{project} is already at template version {result.new_version}.")
        return
    verb = "Would update" if dry_run else "Updated"
    typer.echo(
        f"{verb} {project} from template version {result.old_version} to "
        f"{result.new_version}: {len(result.changed)} file(s) changed."
    )
    if dry_run and result.diff_stat:
        typer.echo(result.diff_stat)
    for path, diff in result.deleted_changes.items():
        typer.echo(
            f"You deleted {path}, and template version {result.new_version} changes it; it "
            "stays deleted. The template's change, should you want it:"
        )
        typer.echo(diff.rstrip("\n"))
    if result.conflicts:
        typer.echo(
            f"{'Would leave' if dry_run else 'Left'} {len(result.conflicts)} conflict(s) to "
            "resolve (edit the <<<<<<< markers, or apply the .rej files by hand, then commit):"
        )
        for path in result.conflicts:
            typer.echo(f"  {path}")
        if not dry_run:
            # Scoped to the project's folder: in a monorepo, `git reset --hard` would also
            # throw away uncommitted work elsewhere in the repository.
            folder = shlex.quote(str(project))
            typer.echo(
                "To give up the update instead (it touched nothing outside the project): "
                f"cd {folder} && git checkout HEAD -- . && git clean -fd -- ."
            )
        raise typer.Exit(1)
    if not dry_run:
        typer.echo("Review the changes (git diff), run the tests, then commit.")


def _check(project: Path, to_version: str | None) -> None:
    """`update --check`: 0 up to date, 1 behind, 2 when the versions cannot be compared."""
    try:
        result = check_project(project, to_version=to_version)
    except UserError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    if result.behind:
        typer.echo(
            f"{project} is at template version {result.current}; {result.available} is "
            "available: run `mlops-new update`."
        )
        raise typer.Exit(1)
    typer.echo(f"{project} is at template version {result.current}, up to date.")


def _answers(pairs: list[str]) -> dict[str, str]:
    answers = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise typer.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--data")
        answers[key] = value
    return answers


for _use_case in list_use_cases():
    _add_use_case_command(_use_case)


def main() -> None:
    """The `mlops-new` console script."""
    app(prog_name="mlops-new")
