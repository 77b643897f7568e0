"""The GitHub Actions workflows of a generated project are valid and follow safe habits.

They are copied verbatim into every project and taught as examples, so they are checked the
way a careful reviewer would: GitHub's JSON schema (check-jsonschema), the zizmor security
linter, and the invariants below asserted directly on the YAML. Both tools come with the
`test` extra of this repository; CI installs it, so a missing tool fails rather than skips.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_WORKFLOWS = REPO_ROOT / "templates" / "project" / ".github" / "workflows"
EXPECTED_WORKFLOWS = {"ci.yml", "monitor.yml"}

# owner/repo[/path]@<40 hex digits>: a commit, which (unlike a tag) cannot be moved.
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
# The same, on the source line, followed by a comment naming the release (`# v4.2.2`).
PINNED_LINE = re.compile(r"uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s*v\d+(\.\d+)*\s*$")
RESTRICTIVE_PERMISSIONS = ({}, {"contents": "read"})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project rendered from this repository (HEAD plus any uncommitted changes)."""
    import copier

    dest = tmp_path_factory.mktemp("workflows") / "p"
    with warnings.catch_warnings():
        # Rendering a working tree with uncommitted changes is expected while developing.
        warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
        copier.run_copy(
            str(REPO_ROOT),
            dest,
            data={"use_case": "fraud-detection", "project_name": "wf-check"},
            defaults=True,
            vcs_ref="HEAD",
            unsafe=False,
            quiet=True,
        )
    return dest


def _workflow_files(project: Path) -> list[Path]:
    folder = project / ".github" / "workflows"
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])
    assert files, f"no workflow files in {folder}"
    return files


def _tool(name: str) -> str:
    """The command `name` from this interpreter's environment, else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"`{name}` is not installed. Install the `test` extra of this repository "
            "(for example `pip install -e '.[test]'`): it provides check-jsonschema and zizmor.",
            pytrace=False,
        )
    return found


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_workflows_are_copied_verbatim(project: Path) -> None:
    generated = {p.name: p for p in _workflow_files(project)}
    assert set(generated) == EXPECTED_WORKFLOWS
    for name, path in generated.items():
        # No `.jinja` suffix: `${{ }}` expressions must reach GitHub untouched.
        assert path.read_bytes() == (TEMPLATE_WORKFLOWS / name).read_bytes(), name


def test_workflows_match_github_schema(project: Path) -> None:
    files = [str(p) for p in _workflow_files(project)]
    result = _run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files]
    )
    assert result.returncode == 0, f"check-jsonschema:\n{result.stdout}\n{result.stderr}"


def test_workflows_pass_zizmor(project: Path) -> None:
    files = [str(p) for p in _workflow_files(project)]
    result = _run([_tool("zizmor"), "--offline", "--no-progress", "--color", "never", *files])
    assert result.returncode == 0, f"zizmor found problems:\n{result.stdout}\n{result.stderr}"


def test_actions_are_pinned_to_commits(project: Path) -> None:
    for path in _workflow_files(project):
        workflow = _load(path)
        uses = [step["uses"] for step in _steps(workflow) if "uses" in step]
        uses += [job["uses"] for job in workflow["jobs"].values() if "uses" in job]
        assert uses, f"{path.name}: no actions used?"
        unpinned = [u for u in uses if not u.startswith("./") and not PINNED.match(u)]
        assert not unpinned, f"{path.name}: not pinned to a 40-hex commit SHA: {unpinned}"
        lines = [line.strip() for line in path.read_text().splitlines() if "uses:" in line]
        uncommented = [line for line in lines if not PINNED_LINE.search(line)]
        assert not uncommented, f"{path.name}: pin without a `# vX.Y.Z` comment: {uncommented}"


def test_permissions_are_least_privilege(project: Path) -> None:
    for path in _workflow_files(project):
        workflow = _load(path)
        assert "permissions" in workflow, f"{path.name}: no top-level permissions"
        assert workflow["permissions"] in RESTRICTIVE_PERMISSIONS, (
            f"{path.name}: top-level permissions {workflow['permissions']!r} are broader than "
            "`contents: read`; grant more to the one job that needs it"
        )
        for name, job in workflow["jobs"].items():
            granted = job.get("permissions", {})
            assert granted not in ("write-all", "read-all"), f"{path.name}: job {name}: {granted}"


def test_no_expressions_in_run_scripts(project: Path) -> None:
    # `${{ }}` is pasted into the script before the shell sees it: text from a branch name or
    # a PR title would run as code. Pass values through `env:` and use "$VAR" instead.
    for path in _workflow_files(project):
        for step in _steps(_load(path)):
            assert "${{" not in step.get("run", ""), f"{path.name}: {step['run']!r}"


def test_checkout_does_not_persist_credentials(project: Path) -> None:
    for path in _workflow_files(project):
        checkouts = [
            s for s in _steps(_load(path)) if s.get("uses", "").startswith("actions/checkout@")
        ]
        assert checkouts, f"{path.name}: no checkout step"
        for step in checkouts:
            assert step.get("with", {}).get("persist-credentials") is False, (
                f"{path.name}: checkout must set `persist-credentials: false`"
            )


def test_every_job_has_a_timeout(project: Path) -> None:
    # A hung job otherwise holds a runner for GitHub's default of six hours.
    for path in _workflow_files(project):
        for name, job in _load(path)["jobs"].items():
            assert "timeout-minutes" in job, f"{path.name}: job {name} has no timeout-minutes"
