"""Updating a generated project to a newer template version: `update_project`, `mlops-new update`.

The template versions are real: this repository's copier.yml, templates/ and scenarios/ are
committed into a temporary git repository as `v1.0.0`, then changed and committed as
`v2.0.0`. A project generated from v1 (and committed, and edited by its "user") is updated
with real copier and real git. tests/test_release.py does the same through wheels built
from this repository's releases.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import copier
import pytest
import yaml
from support import project_env, run, shared_python
from typer.testing import CliRunner

from generator import UpdateError, update_project
from generator._release import checkout_version
from generator.cli import app

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_CHANGE = " (template v2)"
"""Appended to README.md's first line (the project's title) by template v2."""
MAKEFILE_CHANGE = "# A target added by template v2."

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def git_identity() -> Iterator[None]:
    """Commits need an identity, which a CI machine may lack."""
    with pytest.MonkeyPatch.context() as patch:
        for who in ("AUTHOR", "COMMITTER"):
            patch.setenv(f"GIT_{who}_NAME", "mlops-new tests")
            patch.setenv(f"GIT_{who}_EMAIL", "tests@mlops-new.invalid")
        yield


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def commit_all(cwd: Path, message: str) -> None:
    git(cwd, "add", "--all")
    git(cwd, "commit", "--quiet", "--message", message)


def answers(project: Path) -> dict[str, str]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def first_line(path: Path) -> str:
    return path.read_text().splitlines()[0]


def replace_first_line(path: Path, line: str) -> None:
    _, rest = path.read_text().split("\n", 1)
    path.write_text(f"{line}\n{rest}")


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's template, tagged v1.0.0, then changed and tagged v2.0.0."""
    repo = tmp_path_factory.mktemp("template") / "mlops-new"
    repo.mkdir()
    shutil.copy2(REPO / "copier.yml", repo / "copier.yml")
    for folder in ("templates", "scenarios"):
        shutil.copytree(REPO / folder, repo / folder)
    git(repo, "init", "--quiet")
    commit_all(repo, "Template version 1")
    git(repo, "tag", "v1.0.0")
    readme = repo / "templates" / "project" / "README.md.jinja"
    replace_first_line(readme, first_line(readme) + TEMPLATE_CHANGE)
    with (repo / "templates" / "project" / "Makefile.jinja").open("a") as makefile:
        makefile.write(f"\n{MAKEFILE_CHANGE}\n")
    commit_all(repo, "Template version 2")
    git(repo, "tag", "v2.0.0")
    return repo


def generate(template: Path, destination: Path, version: str) -> Path:
    """A project generated from `template` at `version`, committed in its own git repo."""
    copier.run_copy(
        str(template),
        str(destination),
        data={"use_case": "fraud-detection"},
        vcs_ref=version,
        defaults=True,
        quiet=True,
    )
    git(destination, "init", "--quiet")
    commit_all(destination, "Generated project")
    return destination


@pytest.fixture(scope="module")
def v1_project(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(template_repo, tmp_path_factory.mktemp("v1") / "my-fraud-detection", "v1.0.0")


@pytest.fixture
def project(v1_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of the committed v1 project (with its git history)."""
    return Path(shutil.copytree(v1_project, tmp_path / v1_project.name, symlinks=True))


def user_edits(project: Path) -> tuple[str, str]:
    """Edits a team makes and commits that the template does not touch: return them."""
    note = "Notes of the team: the threshold is reviewed every quarter."
    with (project / "README.md").open("a") as readme:
        readme.write(f"\n{note}\n")
    comment = "# Tuned by the team for our own transactions."
    replace_first_line(project / "config" / "pipeline.yaml", comment)
    commit_all(project, "Our edits")
    return note, comment


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def mlops_new(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(arg) for arg in args], prog_name="mlops-new")


def test_update_keeps_the_edits_and_brings_the_template_change(project: Path) -> None:
    note, comment = user_edits(project)

    result = update_project(project)  # from a checkout: the newest tag of the recorded source

    assert (result.old_version, result.new_version) == ("v1.0.0", "v2.0.0")
    assert result.conflicts == []
    readme = (project / "README.md").read_text()
    assert readme.splitlines()[0].endswith(TEMPLATE_CHANGE)
    assert note in readme
    assert first_line(project / "config" / "pipeline.yaml") == comment
    assert MAKEFILE_CHANGE in (project / "Makefile").read_text()
    assert answers(project)["_commit"] == "v2.0.0"
    assert sorted(map(str, result.changed)) == [".copier-answers.yml", "Makefile", "README.md"]


def test_plain_copier_update_works_too(project: Path) -> None:
    note, comment = user_edits(project)

    subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--quiet", str(project)],
        check=True,
        capture_output=True,
    )

    assert note in (project / "README.md").read_text()
    assert first_line(project / "config" / "pipeline.yaml") == comment
    assert MAKEFILE_CHANGE in (project / "Makefile").read_text()
    assert answers(project)["_commit"] == "v2.0.0"


def test_a_conflicting_edit_leaves_markers_and_the_cli_exits_1(project: Path) -> None:
    replace_first_line(project / "README.md", "# Our fraud project")
    commit_all(project, "Our title")

    result = mlops_new("update", project)

    assert result.exit_code == 1, result.output
    assert "from template version v1.0.0 to v2.0.0" in result.stdout
    assert "  README.md" in result.stdout.splitlines()
    readme = (project / "README.md").read_text()
    assert "<<<<<<< before updating" in readme
    assert "# Our fraud project" in readme
    assert git(project, "status", "--porcelain", "README.md").startswith("UU")
    assert MAKEFILE_CHANGE in (project / "Makefile").read_text()  # the rest arrived


def test_conflict_rej_leaves_rej_files(project: Path) -> None:
    replace_first_line(project / "README.md", "# Our fraud project")
    commit_all(project, "Our title")

    result = update_project(project, conflict="rej")

    # The file has the template's version; the user's change that did not apply waits in the
    # .rej file, to be applied by hand.
    assert result.conflicts == [Path("README.md.rej")]
    assert first_line(project / "README.md").endswith(TEMPLATE_CHANGE)
    assert "+# Our fraud project" in (project / "README.md.rej").read_text()


def test_dry_run_writes_nothing_and_reports_the_change(project: Path) -> None:
    user_edits(project)
    before = snapshot(project)
    head = git(project, "rev-parse", "HEAD")

    result = mlops_new("update", project, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Would update" in result.stdout
    assert "Makefile" in result.stdout and "README.md" in result.stdout  # git diff --stat
    assert snapshot(project) == before
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == head


def test_dry_run_reports_conflicts(project: Path) -> None:
    replace_first_line(project / "README.md", "# Our fraud project")
    commit_all(project, "Our title")

    result = update_project(project, dry_run=True)

    assert result.conflicts == [Path("README.md")]
    assert git(project, "status", "--porcelain") == ""


def test_a_dirty_tree_is_refused(project: Path) -> None:
    (project / "README.md").write_text("work in progress\n")
    result = mlops_new("update", project)
    assert result.exit_code == 1
    assert "uncommitted changes (README.md)" in result.stderr
    assert "commit or stash" in result.stderr
    assert (project / "README.md").read_text() == "work in progress\n"


def test_a_folder_outside_git_is_refused(project: Path) -> None:
    shutil.rmtree(project / ".git")
    with pytest.raises(UpdateError, match=r"not in a git repository.*git init"):
        update_project(project)


def test_a_folder_that_is_not_a_project_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = mlops_new("update", tmp_path)
    assert result.exit_code == 1
    assert "is not a project generated by mlops-new" in result.stderr
    assert ".copier-answers.yml" in result.stderr


def test_a_downgrade_is_refused_as_such(template_repo: Path, tmp_path: Path) -> None:
    project = generate(template_repo, tmp_path / "newer", "v2.0.0")
    with pytest.raises(UpdateError, match=r"v2\.0\.0, newer than v1\.0\.0: downgrading is not"):
        update_project(project, to_version="1.0.0")


def test_an_unknown_target_version_is_refused(project: Path) -> None:
    with pytest.raises(UpdateError, match=r"'3\.0\.0' is not in .*v1\.0\.0, v2\.0\.0"):
        update_project(project, to_version="3.0.0")


def test_an_up_to_date_project_is_left_alone(template_repo: Path, tmp_path: Path) -> None:
    project = generate(template_repo, tmp_path / "current", "v2.0.0")
    result = mlops_new("update", project)
    assert result.exit_code == 0, result.output
    assert "already at template version v2.0.0" in result.stdout


MIGRATING_TEMPLATE_V1 = {
    "copier.yml": "name:\n  type: str\n  default: demo\n",
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers | to_nice_yaml }}",
    "notes.txt": "Notes\nfirst\nsecond\n",
}
MIGRATING_TEMPLATE_V2 = {
    # Version 2 renames notes.txt to NOTES.md. Before copier compares the versions, the
    # migration moves the user's notes.txt to the new name (with git, so that copier, which
    # reads the project from git's index, sees the move).
    "copier.yml": """\
_migrations:
  - version: v2.0.0
    when: "{{ _stage == 'before' }}"
    command: test ! -e notes.txt || git mv notes.txt NOTES.md

name:
  type: str
  default: demo
""",
    "NOTES.md": "Notes\nfirst\nsecond\nthird, from template v2\n",
}


def test_a_migration_carries_the_edits_of_a_renamed_file(
    tmp_path: Path, write_tree: Callable[[Path, dict[str, str]], Path]
) -> None:
    template = write_tree(tmp_path / "template", MIGRATING_TEMPLATE_V1)
    git(template, "init", "--quiet")
    commit_all(template, "v1")
    git(template, "tag", "v1.0.0")
    git(template, "rm", "--quiet", "notes.txt")
    write_tree(template, MIGRATING_TEMPLATE_V2)
    commit_all(template, "v2: notes.txt is now NOTES.md")
    git(template, "tag", "v2.0.0")
    project = generate(template, tmp_path / "project", "v1.0.0")
    (project / "notes.txt").write_text("Notes\nfirst, edited by the user\nsecond\n")
    commit_all(project, "Our notes")

    result = update_project(project)

    assert not (project / "notes.txt").exists()
    notes = (project / "NOTES.md").read_text()
    assert "first, edited by the user" in notes
    assert "third, from template v2" in notes
    # Copier has no common ancestor for a file new in the template, so the two versions meet
    # in one conflict for the user to resolve: reported, never silently lost.
    assert result.conflicts == [Path("NOTES.md")]


RECORDING_COPIER_YML = """\
_migrations:
  - version: v2.0.0
    when: "{{ _stage == 'before' }}"
    command: |
      test ! -e notes.txt || {
        git mv notes.txt NOTES.md
        record="$(git rev-parse --git-path mlops-new-moved.json)"
        echo '[{"old": "notes.txt", "new": "NOTES.md"}]' > "$record"
      }

name:
  type: str
  default: demo
"""


def test_a_recorded_move_merges_three_ways_so_only_colliding_edits_conflict(
    tmp_path: Path, write_tree: Callable[[Path, dict[str, str]], Path]
) -> None:
    # The same rename, with the move recorded as migrations/layers.py records it: the update
    # merges the user's notes.txt and the template's NOTES.md from their common ancestor.
    template = write_tree(tmp_path / "template", MIGRATING_TEMPLATE_V1)
    git(template, "init", "--quiet")
    commit_all(template, "v1")
    git(template, "tag", "v1.0.0")
    git(template, "rm", "--quiet", "notes.txt")
    write_tree(template, {**MIGRATING_TEMPLATE_V2, "copier.yml": RECORDING_COPIER_YML})
    commit_all(template, "v2: notes.txt is now NOTES.md")
    git(template, "tag", "v2.0.0")
    project = generate(template, tmp_path / "project", "v1.0.0")
    (project / "notes.txt").write_text("Notes\nfirst, edited by the user\nsecond\n")
    commit_all(project, "Our notes")

    result = update_project(project)

    assert (project / "NOTES.md").read_text() == (
        "Notes\nfirst, edited by the user\nsecond\nthird, from template v2\n"
    )
    assert result.conflicts == []
    assert not (project / "notes.txt").exists()
    assert not list((project / ".git").glob("mlops-new-moved.json"))


@pytest.mark.e2e
def test_the_updated_project_still_passes_its_tests(project: Path) -> None:
    user_edits(project)
    assert update_project(project).conflicts == []
    python = shared_python()
    # The whole suite, the end-to-end test with its real server and monitoring included.
    output = run(
        [str(python), "-m", "pytest", "-q"], project, project_env(project, python), timeout=900
    )
    assert " passed" in output and " failed" not in output


def test_check_exits_1_behind_0_up_to_date_and_2_on_an_error(
    project: Path, template_repo: Path, tmp_path: Path
) -> None:
    before = snapshot(project)
    behind = mlops_new("update", project, "--check")
    assert behind.exit_code == 1, behind.output
    assert "at template version v1.0.0; v2.0.0 is available" in behind.stdout
    assert snapshot(project) == before

    current = mlops_new("update", generate(template_repo, tmp_path / "v2", "v2.0.0"), "--check")
    assert current.exit_code == 0, current.output
    assert "v2.0.0, up to date" in current.stdout

    (tmp_path / "not-a-project").mkdir()
    broken = mlops_new("update", tmp_path / "not-a-project", "--check")
    assert broken.exit_code == 2
    assert "is not a project generated by mlops-new" in broken.stderr


def test_skip_exclude_and_data_reach_copier(project: Path) -> None:
    user_edits(project)
    makefile = (project / "Makefile").read_text()

    result = mlops_new(
        "update", project, "--skip", "Makefile", "--exclude", "README.md", "--data",
        "description=Scores card payments for the team",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert (project / "Makefile").read_text() == makefile  # skipped: kept as it was
    assert TEMPLATE_CHANGE not in first_line(project / "README.md")  # excluded: not rendered
    assert answers(project)["description"] == "Scores card payments for the team"
    assert answers(project)["_commit"] == "v2.0.0"


def test_a_file_you_deleted_that_the_template_changes_is_named_and_stays_deleted(
    project: Path,
) -> None:
    git(project, "rm", "--quiet", "Makefile")
    commit_all(project, "We run our commands by hand")

    result = mlops_new("update", project)

    assert result.exit_code == 0, result.output
    assert "You deleted Makefile, and template version v2.0.0 changes it" in result.stdout
    assert f"+{MAKEFILE_CHANGE}" in result.stdout  # the template's change, as a diff
    assert not (project / "Makefile").exists()


def test_giving_up_an_update_touches_nothing_outside_the_project(
    template_repo: Path, tmp_path: Path
) -> None:
    """In a monorepo, the advice printed after a conflict undoes the update only."""
    monorepo = tmp_path / "monorepo"
    project = generate(template_repo, monorepo / "services" / "fraud", "v1.0.0")
    shutil.rmtree(project / ".git")
    (monorepo / "other.txt").write_text("another team's file\n")
    git(monorepo, "init", "--quiet")
    commit_all(monorepo, "A monorepo")
    replace_first_line(project / "README.md", "# Our fraud project")
    commit_all(monorepo, "Our title")
    (monorepo / "other.txt").write_text("another team's work in progress\n")  # uncommitted
    before = snapshot(project)

    result = mlops_new("update", project)
    assert result.exit_code == 1, result.output
    advice = next(line for line in result.stdout.splitlines() if "give up the update" in line)
    command = advice.split(": ", 1)[1]
    subprocess.run(command, shell=True, cwd=tmp_path, check=True, capture_output=True)

    assert snapshot(project) == before
    assert (monorepo / "other.txt").read_text() == "another team's work in progress\n"
    assert git(monorepo, "status", "--porcelain") == " M other.txt\n"


@pytest.fixture(scope="module")
def mlops_new_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository: its committed history, ledger included."""
    clone = tmp_path_factory.mktemp("checkout") / "mlops-new"
    git(clone.parent, "clone", "--quiet", "--no-tags", str(REPO), str(clone))
    return clone


def test_a_project_generated_from_a_checkout_is_moved_onto_the_store(
    mlops_new_clone: Path, tmp_path: Path, template_store: Path
) -> None:
    """Earlier mlops-new, run from a checkout, recorded the checkout and its commit."""
    project = generate(mlops_new_clone, tmp_path / "from-checkout", "HEAD")
    head = git(mlops_new_clone, "rev-parse", "HEAD").strip()
    assert head.startswith(str(answers(project)["_commit"]))

    result = update_project(project)

    version = f"v{checkout_version(mlops_new_clone)}"
    assert answers(project)["_commit"] == version == result.new_version
    assert Path(answers(project)["_src_path"]) == template_store / "template.bundle"
    assert git(project, "log", "-1", "--format=%s").startswith("Template source: the mlops-new")
    assert git(project, "status", "--porcelain") == ""


def test_a_project_generated_from_uncommitted_changes_of_a_checkout_is_refused_clearly(
    mlops_new_clone: Path, tmp_path: Path
) -> None:
    project = generate(mlops_new_clone, tmp_path / "from-checkout", "HEAD")
    path = project / ".copier-answers.yml"
    path.write_text(path.read_text().replace(str(answers(project)["_commit"]), "0123abc"))
    commit_all(project, "A commit copier made in its own clone of a dirty checkout")
    with pytest.raises(UpdateError, match=r"(?s)at 0123abc, whose version cannot be known.*again"):
        update_project(project)
