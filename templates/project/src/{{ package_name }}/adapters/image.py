"""The service's container image: built from a bento where Docker runs, checked where it does not.

`build_image` builds a bento of a version (`server.build_bento`, as the `build` command does),
then:

- where Docker answers (`docker` on PATH and `docker info` succeeds), turns it into an image
  with `bentoml containerize`, tagged `<image>:<bento version>`, and remembers which image
  holds which model version (`build/image/images.json`), for `image-check`;
- where it does not, writes the Dockerfile that `bentoml containerize` would build
  (`build/image/Dockerfile`) and checks it as the image's tests do: hadolint finds no error
  in it, and its last USER is not root. The image itself is then built where Docker runs.

`run_image` starts an image on a free port (`docker run -d`; of 127.0.0.1, or of the daemon's
host with Docker-in-Docker), waits for /readyz,
sends it requests and always removes the container, printing its log when it does not start.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..config import Config
from ..errors import UserError
from . import registry
from .server import build_bento, free_port

# Where `image` writes: the Dockerfile (without Docker), and the images it built (with it).
IMAGE_DIR = Path("build") / "image"
DOCKERFILE = IMAGE_DIR / "Dockerfile"
BUILT_IMAGES = IMAGE_DIR / "images.json"
CONTAINERIZE_LOG = IMAGE_DIR / "containerize.log"
# The port the bento's server listens on inside its image (BentoML's default).
SERVICE_PORT = 3000
# Seconds a started image has to answer /readyz.
READY_WITHIN_S = 120.0
# An image's repository, as Docker names it: an optional registry host (and port), then
# lowercase path components. The tag is the bento's version, added by `build_image`.
REPOSITORY = re.compile(
    r"^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
ROOT_USERS = {"root", "0"}


class ImageError(UserError, RuntimeError):
    """The image cannot be built, checked or started; the message says why."""


@dataclass(frozen=True)
class ImageBuild:
    """What `build_image` made: an image (`reference`), or a checked Dockerfile."""

    bento: str
    model: str
    reference: str | None = None
    dockerfile: Path | None = None
    # Without Docker: why not, hadolint's findings below error level, the image's user.
    no_docker: str | None = None
    findings: list[str] = field(default_factory=list)
    user: str | None = None

    def describe(self) -> list[str]:
        lines = [f"built bento {self.bento} of model {self.model}"]
        if self.reference is not None:
            return [*lines, f"built image {self.reference}", f"next: image-check {self.reference}"]
        shown = _shown(self.dockerfile) if self.dockerfile else None
        notes = f" ({len(self.findings)} warnings or notes: `hadolint {shown}`)"
        return [
            *lines,
            f"no Docker here: {self.no_docker}",
            f"wrote {shown}, the Dockerfile `bentoml containerize` would build",
            f"hadolint: no error{notes if self.findings else ''}",
            f"the image runs as user {self.user}, not root",
            "the image is built where Docker runs: `make image` there (the bento is its build "
            f"context; `bentoml export {self.bento}` carries it)",
        ]


def docker_unavailable() -> str | None:
    """Why Docker cannot build or run images here (no `docker`, no daemon), or None."""
    docker = shutil.which("docker")
    if docker is None:
        return "`docker` is not on PATH"
    try:
        result = subprocess.run(
            [docker, "info"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"`docker info` failed: {error}"
    if result.returncode != 0:
        return f"`docker info` failed: {_tail(result.stderr or result.stdout, 1)}"
    return None


def build_image(config: Config, version: str | None = None, *, image: str) -> ImageBuild:
    """Build a bento of `version` (default: the champion), then its image `image:<bento
    version>` where Docker runs, else its Dockerfile, checked (see the module's docstring).

    ImageError when `image` is not a repository name, containerizing fails (with the tail of
    Docker's output), hadolint finds an error, or the image would run as root.
    """
    if not REPOSITORY.match(image):
        raise ImageError(
            f"'{image}' is not an image repository (lowercase, like registry.example.com/team/"
            "name, without a tag: the tag is the bento's version)"
        )
    model = registry.resolve(config, version)
    bento = build_bento(config, tag=model)
    no_docker = docker_unavailable()
    if no_docker is None:
        reference = f"{image}:{bento.partition(':')[2]}"
        containerize(config, bento, reference)
        _remember(config, model, reference)
        return ImageBuild(bento, model, reference=reference)
    dockerfile = config.path(DOCKERFILE)
    write_dockerfile(config, bento, dockerfile)
    findings, user = check_dockerfile(dockerfile)
    return ImageBuild(
        bento, model, dockerfile=dockerfile, no_docker=no_docker, findings=findings, user=user
    )


def containerize(config: Config, bento: str, reference: str) -> None:
    """`bentoml containerize` the bento as `reference`, in the project's BentoML home; its
    output goes to build/image/containerize.log."""
    log = config.path(CONTAINERIZE_LOG)
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "bentoml", "containerize", bento, "-t", reference]
    with log.open("w", encoding="utf-8") as sink:
        result = subprocess.run(
            command,
            cwd=config.root,
            env={**os.environ, **registry.bentoml_env(config)},
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        output = log.read_text(encoding="utf-8", errors="replace")
        raise ImageError(
            f"`bentoml containerize {bento}` failed (exit {result.returncode}): "
            f"{_tail(output, 3, ' | ')} (all of it in {_shown(log)})"
        )


def write_dockerfile(config: Config, bento: str, output: Path) -> None:
    """Write the Dockerfile `bentoml containerize` would build for the bento, without Docker.

    In a child process: BentoML reads the store's location (`BENTOML_HOME`) once per process.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    write = "import sys, bentoml; bentoml.container.get_containerfile(sys.argv[1], sys.argv[2])"
    result = subprocess.run(
        [sys.executable, "-c", write, bento, str(output)],
        env={**os.environ, **registry.bentoml_env(config)},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ImageError(
            f"the Dockerfile of bento {bento} could not be written: "
            f"{_tail(result.stderr or result.stdout, 3, ' | ')}"
        )


def check_dockerfile(dockerfile: Path) -> tuple[list[str], str]:
    """hadolint's findings below error level and the image's user, when hadolint (this
    environment's) finds no error and the last USER of the last stage is not root;
    ImageError otherwise, with hadolint's findings."""
    hadolint = Path(sys.executable).with_name("hadolint")
    if not hadolint.is_file():
        raise ImageError(
            f"hadolint is not installed in this environment ({hadolint}): run `make setup`, "
            "which installs it with the other development tools"
        )
    result = subprocess.run(
        [str(hadolint), "--no-color", "--failure-threshold", "error", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = [line for line in result.stdout.splitlines() if line.strip()]
    problems = []
    if result.returncode != 0:
        found = findings or [line for line in result.stderr.splitlines() if line.strip()]
        problems.append("hadolint finds errors:\n" + "\n".join(f"  {line}" for line in found))
    user = last_user(dockerfile.read_text(encoding="utf-8"))
    if user is None:
        problems.append("the image would run as root: its last stage has no USER instruction")
    elif user.partition(":")[0] in ROOT_USERS:
        problems.append(f"the image would run as root: its last USER is {user}")
    if problems or user is None:
        raise ImageError(f"{_shown(dockerfile)}: " + "\n".join(problems))
    return findings, user


def last_user(dockerfile: str) -> str | None:
    """The user of the last USER instruction of the Dockerfile's last stage, if any."""
    lines = dockerfile.replace("\\\n", " ").splitlines()
    user = None
    for line in lines:
        words = line.split()
        if not words:
            continue
        if words[0].upper() == "FROM":
            user = None  # a new stage starts as root again
        elif words[0].upper() == "USER" and len(words) > 1:
            user = words[1]
    return user


def _remember(config: Config, model: str, reference: str) -> None:
    """Record that `reference` serves `model`, for `image-check`'s default."""
    path = config.path(BUILT_IMAGES)
    built = _built(config)
    built[model] = reference
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(built, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _built(config: Config) -> dict[str, str]:
    path = config.path(BUILT_IMAGES)
    try:
        built = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as error:
        raise ImageError(f"{path} is not JSON ({error}): delete it and run `make image`") from None
    return built if isinstance(built, dict) else {}


def built_image(config: Config, model: str) -> str:
    """The image `build_image` built for `model`; ImageError if it built none."""
    reference = _built(config).get(model)
    if reference is None:
        raise ImageError(
            f"no image of {model} built here yet: run `make image` (where Docker runs), or "
            "name an image: `make image-check IMAGE_REF=<image>:<tag>`"
        )
    return reference


def require_docker(purpose: str) -> None:
    """ImageError, saying `purpose` needs Docker, where Docker does not answer."""
    no_docker = docker_unavailable()
    if no_docker is not None:
        raise ImageError(
            f"{purpose} needs Docker, and there is none here ({no_docker}); the project's CI "
            "builds and starts the image (`make image image-check` where Docker runs)"
        )


def image_model(reference: str) -> str | None:
    """The model version an image serves (its MODEL_TAG), if it has one.

    ImageError when Docker has no such image here.
    """
    result = _docker("image", "inspect", reference)  # a JSON list of the images found
    if result.returncode != 0:
        raise ImageError(
            f"no image {reference} here ({_tail(result.stderr, 1)}): build it with "
            "`make image`, or `docker pull` it"
        )
    (found,) = json.loads(result.stdout)
    for setting in (found.get("Config") or {}).get("Env") or []:
        name, _, value = setting.partition("=")
        if name == "MODEL_TAG":
            return value
    return None


def run_image(
    reference: str,
    requests: list[tuple[str, dict[str, Any]]],
    *,
    timeout: float = READY_WITHIN_S,
) -> list[tuple[str, dict[str, Any]]]:
    """Start the image, wait until it is ready, POST each named request to /predict; return
    each name with the answer. The container is removed however it ends.

    ImageError when the container does not start or become ready within `timeout` seconds
    (with the tail of its log), or a request is not answered 200.
    """
    port = free_port()
    bind, host = published_on()
    # Not `--rm`: the log of a container that stopped must still be readable to say why.
    # A long timeout: an image of a registry is pulled first.
    published = f"{bind}:{port}:{SERVICE_PORT}"
    started = _docker("run", "-d", "-p", published, reference, timeout=900)
    container = started.stdout.strip()
    if started.returncode != 0 or not container:
        raise ImageError(
            f"`docker run {reference}` failed: {_tail(started.stderr or started.stdout, 3, ' | ')}"
        )
    try:
        url = f"http://{host}:{port}"
        _wait_until_ready(container, url, timeout)
        answers = []
        with httpx.Client(base_url=url, timeout=30) as client:
            for name, row in requests:
                response = client.post("/predict", json=row)
                if response.status_code != 200:
                    raise ImageError(
                        f"image {reference} answered {name} with {response.status_code}: "
                        f"{response.text[:300]}"
                    )
                answers.append((name, response.json()))
        return answers
    finally:
        _docker("rm", "--force", container)


def published_on() -> tuple[str, str]:
    """Where a container's port is published, and the host to reach it at.

    A local daemon publishes on this machine's 127.0.0.1. A daemon reached over TCP
    (`DOCKER_HOST=tcp://docker:2376`: Docker-in-Docker, as GitLab's Docker executor runs it)
    runs its containers on its own host: the port is published on that host's interfaces,
    and reached at its name.
    """
    address = os.environ.get("DOCKER_HOST", "")
    host = urlsplit(address).hostname if address.startswith("tcp://") else None
    return ("0.0.0.0", host) if host else ("127.0.0.1", "127.0.0.1")


def _wait_until_ready(container: str, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(f"{url}/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            if not _running(container):
                raise ImageError(f"the container stopped before it was ready:\n{_logs(container)}")
            time.sleep(0.5)
    raise ImageError(f"the container was not ready within {timeout:g} s:\n{_logs(container)}")


def _running(container: str) -> bool:
    result = _docker("container", "inspect", container)  # a JSON list of the containers
    if result.returncode != 0:
        return False
    (found,) = json.loads(result.stdout)
    return bool(found.get("State", {}).get("Running"))


def _logs(container: str, lines: int = 30) -> str:
    result = _docker("logs", "--tail", str(lines), container)
    return (result.stdout + result.stderr).strip() or "(no output)"


def _docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `docker`; a command that does not end in `timeout` seconds fails (exit 124)."""
    command = ["docker", *args]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"no answer within {timeout:g} s")


def _shown(path: Path) -> str:
    """`path` relative to the working directory where it is inside it, else as it is."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def _tail(text: str, lines: int, separator: str = "\n") -> str:
    found = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return separator.join(found[-lines:]) or "(no output)"
