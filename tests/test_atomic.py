"""The generator writes a whole project or nothing: what a failure leaves behind.

`mlops-new <use-case> DEST` renders into a scratch folder on the destination's file system
and moves the files in by renaming them (generator/_create.py). Whatever fails (a name the
file system refuses, a full disk, a symbolic link out of the destination, a failure part
way through the move), the command prints one `Error: ...` line and the destination is
exactly as before: a new one does not exist, an existing one (`--force`) has exactly its
previous files, modes and bytes. `mlops-new update` restores the project's last commit when
it fails part way.

A full disk is real where it can be: a small tmpfs, which only root can mount (CI runs as
root). Elsewhere, a file-size limit (RLIMIT_FSIZE, in a child process, SIGXFSZ ignored so
that writes fail with EFBIG) cuts the render's writes the same way, deterministically.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import copier
import pytest
from test_update import git, git_identity, project, template_repo, v1_project  # noqa: F401
from typer.testing import CliRunner

import generator._create
import generator._update
from generator import DestinationError, UpdateError, create_project, update_project
from generator.cli import app
from generator.errors import describe_os_error
from generator.template import template_root

runner = CliRunner()


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stderr: str


def mlops_new(*args: str | Path) -> Outcome:
    result = runner.invoke(app, [str(arg) for arg in args], prog_name="mlops-new")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stderr)


def assert_one_line_error(outcome: Outcome, *fragments: str) -> None:
    assert outcome.exit_code == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), outcome.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | str | None]]:
    """Every path under `folder` (hidden ones too), with its mode and its content: the bytes
    of a file, the target of a link, None for a folder."""
    found: dict[str, tuple[int, bytes | str | None]] = {}
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        if path.is_symlink():
            content: bytes | str | None = os.readlink(path)
        elif path.is_dir():
            content = None
        else:
            content = path.read_bytes()
        found[str(path.relative_to(folder))] = (mode, content)
    return found


def users_files(folder: Path) -> Path:
    """A folder a user already works in: a note, an executable script, data in a subfolder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text("mine\n")
    (folder / "README.md").write_text("my own readme\n")
    script = folder / "run.sh"
    script.write_text("#!/bin/sh\necho hello\n")
    script.chmod(0o755)
    (folder / "data").mkdir()
    (folder / "data" / "sample.csv").write_bytes(b"a,b\n1,2\n" * 100)
    return folder


# --- names and links ------------------------------------------------------------------------


@pytest.mark.parametrize("relative", ["x" * 300, "x" * 300 + "/project", "p/" + "y" * 300])
def test_a_name_too_long_is_one_line_and_writes_nothing(tmp_path: Path, relative: str) -> None:
    before = snapshot(tmp_path)
    outcome = mlops_new("fraud-detection", tmp_path / relative, "--name", "p")
    assert_one_line_error(outcome, "too long for the file system", "choose a shorter name")
    assert "x" * 50 not in outcome.stderr and "y" * 50 not in outcome.stderr  # shortened
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("flag", ["--force", "--overwrite"])
def test_a_symlink_out_of_the_destination_is_refused(tmp_path: Path, flag: str) -> None:
    destination = users_files(tmp_path / "project")
    outside = tmp_path / "outside"
    outside.mkdir()
    (destination / "src").symlink_to(outside)
    before = snapshot(tmp_path)
    outcome = mlops_new("fraud-detection", destination, "--name", "p", flag)
    assert_one_line_error(outcome, f"{destination / 'src'} is a symbolic link", "remove it")
    assert list(outside.iterdir()) == []
    assert snapshot(tmp_path) == before


def test_a_symlink_in_place_of_a_file_is_replaced_not_written_through(tmp_path: Path) -> None:
    destination = users_files(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("not the project's\n")
    (destination / "README.md").unlink()
    (destination / "README.md").symlink_to(elsewhere)
    outcome = mlops_new("fraud-detection", destination, "--name", "p", "--overwrite")
    assert outcome.exit_code == 0, outcome.stderr
    assert not (destination / "README.md").is_symlink()
    assert elsewhere.read_text() == "not the project's\n"


# --- a full disk ----------------------------------------------------------------------------

CHILD = """
import resource, signal, sys
limit, plain, *args = sys.argv[1:]
import generator._create as create
create._template_source = lambda root: create.Source(plain, None, "a plain copy")
from generator.cli import app
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
app(args, prog_name="mlops-new")
"""
"""`mlops-new ARGS` whose writes stop at `limit` bytes a file. The template is a plain copy
(no git): copier would otherwise clone it, and the clone's writes would hit the limit first."""

FILE_SIZE_LIMIT = 16 * 1024
"""Below the largest rendered files (the simulator, the features: 20-30 KB)."""


@dataclass(frozen=True)
class FullDisk:
    folder: Path
    """Where destinations go: on the small disk, or anywhere for the file-size limit."""
    generate: Callable[..., Outcome]
    says: str
    """What the error says."""


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root, copy = template_root(), tmp_path_factory.mktemp("plain-template")
    shutil.copy2(root / "copier.yml", copy)
    for folder in ("templates", "scenarios", "migrations"):
        shutil.copytree(root / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture(params=["tmpfs", "file-size limit"])
def full_disk(
    request: pytest.FixtureRequest, tmp_path: Path, plain_template: Path
) -> Iterator[FullDisk]:
    if request.param == "file-size limit":

        def limited(*args: str | Path) -> Outcome:
            command = [sys.executable, "-c", CHILD, str(FILE_SIZE_LIMIT), str(plain_template)]
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
            child = subprocess.run(
                [*command, *map(str, args)], capture_output=True, text=True, env=env, timeout=300
            )
            return Outcome(child.returncode, child.stderr)

        yield FullDisk(tmp_path, limited, "file-size limit")
        return
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("only root can mount a tmpfs; the file-size-limit case stands in for it")
    # 256 KiB: the project takes about 600 KB, so the render fills it part way.
    mount = ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)]
    mounted = subprocess.run(mount, capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({mounted.stderr.strip()}); the file-size-limit "
            "case stands in for it"
        )
    try:
        yield FullDisk(disk, mlops_new, "no space left on the device")
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_leaves_no_new_destination(full_disk: FullDisk) -> None:
    before = snapshot(full_disk.folder)
    destination = full_disk.folder / "fraud"
    outcome = full_disk.generate("fraud-detection", destination)
    assert_one_line_error(outcome, f"could not generate into {destination} (not created)")
    assert full_disk.says in outcome.stderr
    assert snapshot(full_disk.folder) == before


@pytest.mark.parametrize("flag", ["--force", "--overwrite"])
def test_a_full_disk_leaves_an_existing_destination_as_it_was(
    full_disk: FullDisk, flag: str
) -> None:
    destination = users_files(full_disk.folder / "work")
    before = snapshot(full_disk.folder)
    outcome = full_disk.generate("fraud-detection", destination, "--name", "p", flag)
    assert_one_line_error(outcome, f"could not generate into {destination} (left as it was)")
    assert full_disk.says in outcome.stderr
    assert snapshot(full_disk.folder) == before


# --- a failure while moving the files in ----------------------------------------------------


def fail_rename_after(
    monkeypatch: pytest.MonkeyPatch, renames: int, error: BaseException
) -> list[tuple[Path, Path]]:
    """Make the move's rename fail once, after `renames` renames; return the renames done
    (the undo's too)."""
    done: list[tuple[Path, Path]] = []
    rename = generator._create._rename

    failed: list[BaseException] = []

    def failing(source: Path, target: Path) -> None:
        if len(done) == renames and not failed:
            failed.append(error)
            raise error
        rename(source, target)  # the undo's renames, after the failure, succeed
        done.append((source, target))

    monkeypatch.setattr(generator._create, "_rename", failing)
    return done


@pytest.mark.parametrize(
    "error",
    [OSError(errno.EIO, "Input/output error"), KeyboardInterrupt()],
    ids=["an I/O error", "an interruption"],
)
def test_a_failure_part_way_through_the_move_undoes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    destination = users_files(tmp_path / "work")
    before = snapshot(tmp_path)
    done = fail_rename_after(monkeypatch, 30, error)
    with pytest.raises(type(error)) as caught:
        create_project("fraud-detection", destination, project_name="p", overwrite=True)
    moved_in = done[:30]
    assert any(target == destination / "README.md" for _, target in moved_in)  # replaced
    assert [(target, source) for source, target in reversed(moved_in)] == done[30:]  # undone
    if isinstance(error, OSError):
        assert isinstance(caught.value, DestinationError)
        assert str(caught.value) == (
            f"could not generate into {destination} (left as it was): Input/output error"
        )
    assert snapshot(tmp_path) == before


STOPPED_CHILD = """
import os, signal, sys
import generator._create as create
rename, renames = create._rename, []
def rename_then_stop(source, target):
    rename(source, target)
    renames.append(target)
    if len(renames) == 30:
        os.kill(os.getpid(), signal.SIGTERM)
create._rename = rename_then_stop
from generator.cli import app
app(sys.argv[1:], prog_name="mlops-new")
"""
"""`mlops-new ARGS` that receives SIGTERM after 30 renames of the move."""


def test_sigterm_part_way_through_the_move_undoes_it(tmp_path: Path) -> None:
    destination = users_files(tmp_path / "work")
    before = snapshot(tmp_path)
    args = ["fraud-detection", str(destination), "--name", "p", "--overwrite"]
    child = subprocess.run(
        [sys.executable, "-c", STOPPED_CHILD, *args], capture_output=True, text=True, timeout=300
    )
    assert child.returncode == 128 + signal.SIGTERM, child.stderr
    assert "Traceback" not in child.stderr
    assert snapshot(tmp_path) == before


def test_a_failure_moving_a_new_destination_in_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_rename_after(monkeypatch, 0, OSError(errno.EIO, "Input/output error"))
    with pytest.raises(DestinationError, match=r"\(not created\): Input/output error"):
        create_project("fraud-detection", tmp_path / "new" / "fraud", project_name="p")
    assert list(tmp_path.iterdir()) == []


def test_when_undoing_fails_too_the_error_says_where_the_replaced_files_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    destination = users_files(tmp_path / "work")
    rename = generator._create._rename
    calls: list[Path] = []

    def failing(source: Path, target: Path) -> None:
        calls.append(target)
        if len(calls) > 30:  # the 31st rename, and every undo after it
            raise OSError(errno.EIO, "Input/output error")
        rename(source, target)

    monkeypatch.setattr(generator._create, "_rename", failing)
    with pytest.raises(DestinationError) as caught:
        create_project("fraud-detection", destination, project_name="p", overwrite=True)
    message = str(caught.value)
    replaced = Path(message.split("the files it replaced are in ")[1].split(": move them")[0])
    assert (replaced / "README.md").read_text() == "my own readme\n"
    assert "\n" not in message


# --- errors in words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "says"),
    [
        (errno.ENOSPC, "no space left on the device (/d/f): free some space"),
        (errno.EDQUOT, "disk quota exceeded (/d/f)"),
        (errno.EFBIG, "file-size limit (/d/f): raise it (ulimit -f)"),
        (errno.ENAMETOOLONG, "too long for the file system (/d/f): choose a shorter name"),
        (errno.EACCES, "permission denied (/d/f): choose a folder you can write to"),
        (errno.EPERM, "operation not permitted (/d/f): choose a folder you can write to"),
        (errno.EROFS, "read-only file system (/d/f): choose a folder on a writable disk"),
        (errno.EIO, "Input/output error (/d/f)"),
    ],
)
def test_file_system_errors_read_as_one_line(number: int, says: str) -> None:
    message = describe_os_error(OSError(number, os.strerror(number), "/d/f"))
    assert says in message and "\n" not in message


def test_permission_denied_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Root may write anywhere, so the refusal is simulated where the scratch folder is
    made, the first write.)"""

    def refused(**kwargs: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied", str(kwargs["dir"]))

    monkeypatch.setattr(generator._create.tempfile, "mkdtemp", refused)
    outcome = mlops_new("fraud-detection", tmp_path / "p")
    assert_one_line_error(
        outcome,
        f"could not generate into {tmp_path / 'p'} (not created): permission denied "
        f"({tmp_path}): choose a folder you can write to",
    )


def without_git(files: dict[str, tuple[int, bytes | str | None]]) -> dict[str, object]:
    """The project's own files: git's folder changes with any git command (its index)."""
    return {path: entry for path, entry in files.items() if Path(path).parts[0] != ".git"}


# --- update ---------------------------------------------------------------------------------


def test_an_update_failing_part_way_restores_the_last_commit(
    project: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = snapshot(project)
    head = git(project, "rev-parse", "HEAD")

    def half_an_update(*args: object, **kwargs: object) -> None:
        (project / "README.md").write_text("half written")
        (project / "new_module.py").write_text("")
        git(project, "add", "new_module.py")
        raise OSError(errno.ENOSPC, "No space left on device", str(project / "Makefile"))

    monkeypatch.setattr(copier, "run_update", half_an_update)
    with pytest.raises(UpdateError) as caught:
        update_project(project)
    assert str(caught.value) == (
        f"no space left on the device ({project / 'Makefile'}): free some space, or choose "
        f"another disk; {project} is back at its last commit, as it was before the update"
    )
    assert without_git(snapshot(project)) == without_git(before)
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == head


def test_when_restoring_fails_too_the_error_gives_the_commands(
    project: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = snapshot(project)

    def half_an_update(*args: object, **kwargs: object) -> None:
        (project / "README.md").write_text("half written")
        (project / "new_module.py").write_text("")
        raise OSError(errno.ENOSPC, "No space left on device")

    git_in = generator._update._git

    def git_failing_to_reset(cwd: Path, *args: str) -> str:
        if args[0] == "reset":
            raise UpdateError(
                "git reset failed in the project: fatal: Unable to create\n'index.lock'"
            )
        return git_in(cwd, *args)

    monkeypatch.setattr(copier, "run_update", half_an_update)
    monkeypatch.setattr(generator._update, "_git", git_failing_to_reset)
    with pytest.raises(UpdateError) as caught:
        update_project(project)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"the update of {project} failed (no space left on the device")
    command = message.split("restore the last commit with: ")[1]
    subprocess.run(command, shell=True, check=True, capture_output=True)
    assert without_git(snapshot(project)) == without_git(before)
