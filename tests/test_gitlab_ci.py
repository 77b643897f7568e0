"""Projects generated with `ci: gitlab` (`mlops-new <use case> DEST --ci gitlab`) carry GitLab
CI/CD instead of GitHub Actions, and each one's .gitlab-ci.yml passes the project's own test
(its tests/test_gitlab_ci.py: GitLab's schema, what GitLab refuses beyond the schema, and the
habits the file's comments teach), run here with the generated projects' shared environment.

The scripts of the scheduled jobs decide whether to retrain and what to push, so they are run
here too, on made-up reports, with `make` and `git push` replaced by stand-ins that record
their arguments: under bash with `-eo pipefail`, all of a job's lines in one shell, as GitLab
Runner runs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import support
import yaml

from generator import create_project, list_use_cases

AVAILABLE = [use_case.name for use_case in list_use_cases() if use_case.available]
TEMPLATE_FILE = (
    support.REPO / "templates" / "project" / "{% if ci == 'gitlab' %}.gitlab-ci.yml{% endif %}"
)


@pytest.fixture(scope="module")
def shared_python() -> Path:
    return support.shared_python()


def _generate(tmp_path: Path, use_case: str, ci: str) -> Path:
    return create_project(use_case, tmp_path / f"my-{use_case}", ci=ci, kubernetes=False).path


@pytest.mark.parametrize("use_case", AVAILABLE)
def test_gitlab_project_passes_its_own_ci_test(
    tmp_path: Path, shared_python: Path, use_case: str
) -> None:
    project = _generate(tmp_path, use_case, "gitlab")
    assert (project / ".gitlab-ci.yml").is_file()
    assert not (project / ".github").exists(), "a GitLab project has no GitHub workflows"
    # Copied as it is (no `.jinja`): what the template shows is what every project runs.
    assert (project / ".gitlab-ci.yml").read_bytes() == TEMPLATE_FILE.read_bytes()
    env = support.project_env(project, shared_python)
    command = [str(shared_python), "-m", "pytest", "tests/test_gitlab_ci.py"]
    output = support.run([*command, "-q", "-p", "no:cacheprovider"], project, env, timeout=600)
    assert " passed" in output and "skipped" not in output, output[-2000:]


def test_default_project_has_github_workflows_only(tmp_path: Path) -> None:
    project = create_project("fraud-detection", tmp_path / "my-fraud-detection").path
    assert (project / ".github" / "workflows" / "ci.yml").is_file()
    assert not (project / ".gitlab-ci.yml").exists()
    assert not (project / "tests" / "test_gitlab_ci.py").exists()


# The scheduled jobs' scripts ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def ci_config() -> dict:
    return yaml.safe_load(TEMPLATE_FILE.read_text(encoding="utf-8"))


def _run_job(config: dict, job: str, folder: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run `job`'s script lines in one bash in `folder` (GitLab Runner's `set -eo pipefail`)."""
    bash = shutil.which("bash")
    assert bash is not None, "bash runs the jobs of the python image"
    script = folder / f"{job}.sh"
    script.write_text("set -eo pipefail\n" + "\n".join(config[job]["script"]) + "\n")
    path = f"{folder / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    result = subprocess.run(
        [bash, "--noprofile", "--norc", str(script)],
        cwd=folder,
        env={"PATH": path, "HOME": str(folder), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


# A `make` that records its arguments; `make monitor` writes the summary BREACH says (and fails
# on a breach, as the real one does), `make retrain` the outcome DECISION says.
FAKE_MAKE = """#!/bin/sh
echo "make $*" >> calls.log
case "$1" in
  monitor)
    [ "$BREACH" = crash ] && exit 2
    mkdir -p reports/monitoring
    echo "{\\"breached\\": $BREACH, \\"reasons\\": [\\"drift in 4 of 9 columns\\"]}" \\
      > reports/monitoring/summary.json
    [ "$BREACH" = false ] || exit 2 ;;
  retrain)
    [ "$DECISION" = refused ] && exit 1
    mkdir -p reports/retraining/proposal
    echo "# Challenger vs champion" > reports/retraining/proposal/README.md
    echo "{\\"decision\\": \\"$DECISION\\", \\"challenger\\": \\"fraud_detection:abc123\\"}" \\
      > reports/retraining/outcome.json ;;
esac
"""


def _fake_make(folder: Path) -> None:
    (folder / "bin").mkdir(parents=True, exist_ok=True)
    make = folder / "bin" / "make"
    make.write_text(FAKE_MAKE)
    make.chmod(0o755)


def _dotenv(folder: Path) -> dict[str, str]:
    path = folder / "monitor.env"
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines)


@pytest.mark.parametrize(
    ("breach", "decision", "drift", "succeeds", "outputs"),
    [
        ("false", None, None, True, {"MONITOR_BREACHED": "false"}),
        # A schedule's DRIFT=false must not drift: make takes any non-empty value as true.
        ("false", None, "false", True, {"MONITOR_BREACHED": "false"}),
        (
            "true",
            "proposed",
            "true",
            True,
            {
                "MONITOR_BREACHED": "true",
                "RETRAINING_DECISION": "proposed",
                "CHALLENGER": "fraud_detection:abc123",
                "CHALLENGER_VERSION": "abc123",
            },
        ),
        ("true", "refused", "true", False, {"MONITOR_BREACHED": "true"}),  # a person must look
        ("crash", None, None, False, {}),  # no summary: an error, not a verdict
    ],
)
def test_monitor_job_script(
    ci_config: dict,
    tmp_path: Path,
    breach: str,
    decision: str | None,
    drift: str | None,
    succeeds: bool,
    outputs: dict[str, str],
) -> None:
    _fake_make(tmp_path)
    env = {"BREACH": breach, "DECISION": decision or "", **({"DRIFT": drift} if drift else {})}
    status, log = _run_job(ci_config, "monitor", tmp_path, env)
    assert (status == 0) is succeeds, log
    assert _dotenv(tmp_path) == outputs
    calls = (tmp_path / "calls.log").read_text().splitlines()
    traffic = [call for call in calls if call.startswith("make traffic")]
    assert traffic == [f"make traffic SIZE=small DRIFT={'1' if drift == 'true' else ''}"]
    assert ("make retrain" in calls) is (breach == "true")


def _proposal_repository(folder: Path) -> tuple[Path, dict[str, str]]:
    """A git repository on a detached commit, as GitLab Runner checks one out, holding the
    monitor job's artifacts; and a `git` whose `push` only records its arguments."""
    git = shutil.which("git")
    assert git is not None
    isolated = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env = {**isolated, "HOME": str(folder), "PATH": os.environ.get("PATH", "")}
    for command in (
        ["init", "-q", "-b", "main"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "0"],
        ["checkout", "-q", "--detach"],
    ):
        subprocess.run([git, *command], cwd=folder, env=env, check=True)
    proposal = folder / "reports" / "retraining" / "proposal"
    proposal.mkdir(parents=True)
    (proposal / "README.md").write_text("# Challenger vs champion\n")
    (proposal / "model_card.md").write_text("# Model card\n")
    (folder / "bin").mkdir()
    fake = folder / "bin" / "git"
    fake.write_text(
        f'#!/bin/sh\nif [ "$1" = push ]; then printf "%s\\n" "$@" > push.args; exit 0; fi\n'
        f'exec "{git}" "$@"\n'
    )
    fake.chmod(0o755)
    gitlab = {
        "CI_PIPELINE_ID": "4242",
        "CI_PIPELINE_URL": "https://gitlab.example.com/team/models/-/pipelines/4242",
        "CI_SERVER_HOST": "gitlab.example.com",
        "CI_SERVER_URL": "https://gitlab.example.com",
        "CI_SERVER_PROTOCOL": "https",
        "CI_PROJECT_PATH": "team/models",
        "CI_COMMIT_BRANCH": "main",
        "GITLAB_TOKEN": "t0ken",
    }
    return folder, {**isolated, **gitlab}


PROPOSED = {
    "RETRAINING_DECISION": "proposed",
    "CHALLENGER": "fraud_detection:abc123",
    "CHALLENGER_VERSION": "abc123",
}


def test_propose_job_pushes_a_branch_that_opens_a_merge_request(
    ci_config: dict, tmp_path: Path
) -> None:
    repo, env = _proposal_repository(tmp_path)
    status, log = _run_job(ci_config, "propose", repo, {**env, **PROPOSED})
    assert status == 0, log
    push = (repo / "push.args").read_text().splitlines()
    branch = "model-proposal/abc123-pipeline-4242"
    assert push[-2:] == [
        "https://oauth2:t0ken@gitlab.example.com/team/models.git",
        f"HEAD:refs/heads/{branch}",
    ]
    options = [push[i + 1] for i, word in enumerate(push) if word == "-o"]
    assert "merge_request.create" in options
    assert "merge_request.target=main" in options
    (description,) = [o for o in options if o.startswith("merge_request.description=")]
    assert "promote fraud_detection:abc123" in description and "\n" not in description
    show = ["git", "show", "--name-only", "--format=%s", branch]
    committed = subprocess.run(
        show, cwd=repo, env={**os.environ, **env}, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "model-proposals/abc123/README.md" in committed
    assert "model-proposals/abc123/model_card.md" in committed


@pytest.mark.parametrize(
    "outcome",
    [
        {"RETRAINING_DECISION": "promoted"},
        {},  # no breach: the monitor job wrote no decision
    ],
)
def test_propose_job_does_nothing_without_a_proposal(
    ci_config: dict, tmp_path: Path, outcome: dict[str, str]
) -> None:
    repo, env = _proposal_repository(tmp_path)
    status, log = _run_job(ci_config, "propose", repo, {**env, **outcome})
    assert status == 0, log
    assert "Nothing to propose" in log
    assert not (repo / "push.args").exists()


@pytest.mark.parametrize(
    "odd",
    [
        {"CHALLENGER": "a:b; touch pwned"},
        {"CHALLENGER_VERSION": "../b"},
        {"CHALLENGER_VERSION": "-b"},
        {"GITLAB_TOKEN": ""},
    ],
)
def test_propose_job_refuses_odd_tags_and_a_missing_token(
    ci_config: dict, tmp_path: Path, odd: dict[str, str]
) -> None:
    repo, env = _proposal_repository(tmp_path)
    status, log = _run_job(ci_config, "propose", repo, {**env, **PROPOSED, **odd})
    assert status != 0, log
    assert not (repo / "push.args").exists(), "nothing may be pushed"
    assert not (repo / "pwned").exists()
