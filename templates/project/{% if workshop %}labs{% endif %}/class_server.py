"""`make class-server`: the class's shared git remote and MLflow server, for lab 10.

Run it on the teacher's machine, in a git repository of the STARTER kit (not the solutions):

    git init && git add -A && git commit -m "The starter kit"
    make class-server                 # CLASS_DIR=../class-server by default

It creates a bare repository `<CLASS_DIR>/<kit>.git` holding the kit's commit as `main`
(once; later runs serve what is there), then serves it with `git daemon` (git://, read and
push, no accounts: a classroom's network only) and runs an MLflow tracking server whose
runs and artifacts live in CLASS_DIR. It prints what students type, and stops both on Ctrl-C.

Offline classrooms: the MLflow server comes from `uv tool run`, which downloads the mlflow
package once; run `make class-server` once with internet beforehand (uv keeps it cached).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def prepare_remote(folder: Path) -> Path:
    """The bare repository the class shares, holding this kit's HEAD as `main`."""
    if subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True).returncode:
        raise SystemExit(
            "this kit has no commit yet: git init && git add -A && git commit -m 'The starter kit'"
        )
    remote = folder / f"{ROOT.name}.git"
    if not remote.exists():
        folder.mkdir(parents=True, exist_ok=True)
        _git("init", "--quiet", "--bare", "--initial-branch=main", str(remote))
        _git("push", "--quiet", str(remote), "HEAD:refs/heads/main")
    return remote


def _address() -> str:
    """This machine's address on the classroom network (what students connect to)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: it picks the interface
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=str(ROOT.parent / "class-server"), help="CLASS_DIR")
    parser.add_argument("--host", default="0.0.0.0", help="the address to listen on")
    parser.add_argument("--git-port", type=int, default=9418)
    parser.add_argument("--mlflow-port", type=int, default=5000)
    parser.add_argument("--python", default=sys.executable, help="the project's Python")
    parser.add_argument("--mlflow-version", required=True, help="as the Makefile pins it")
    args = parser.parse_args()
    folder = Path(args.dir).resolve()
    remote = prepare_remote(folder)
    git_daemon = [
        "git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
        f"--base-path={folder}", f"--listen={args.host}", f"--port={args.git_port}", str(folder),
    ]  # fmt: skip
    mlflow = [
        args.python, "-m", "uv", "tool", "run", "--python", args.python,
        "--from", f"mlflow=={args.mlflow_version}", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}",
        "--artifacts-destination", str(folder / "mlartifacts"),
        "--host", args.host, "--port", str(args.mlflow_port), "--workers", "1",
    ]  # fmt: skip
    # No usage reports from a classroom (and none possible offline).
    quiet = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    servers = [subprocess.Popen(git_daemon), subprocess.Popen(mlflow, env=quiet)]
    here = _address() if args.host == "0.0.0.0" else args.host
    print(
        f"The class server is up (stop it with Ctrl-C). Students type:\n"
        f"  git clone git://{here}:{args.git_port}/{remote.name}\n"
        f"  export MLFLOW_TRACKING_URI=http://{here}:{args.mlflow_port}\n"
        f"Runs and pushed branches are kept in {folder}.",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(server.poll() is None for server in servers):
            time.sleep(1)
        return 1  # one of them stopped on its own: its output above says why
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
