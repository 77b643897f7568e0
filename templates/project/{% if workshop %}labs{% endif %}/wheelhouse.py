"""A classroom without internet: the teacher's wheelhouse, and `make setup` from it.

    make wheelhouse                      teacher, with internet: every package requirements.lock
                                         pins for this platform and Python, into ../wheelhouse
    make setup-offline WHEELHOUSE=DIR    student, offline: .venv from DIR, as `make setup` makes it

The wheelhouse holds wheels for the platform and Python it was built on (pip picks them as an
install would). For a class of mixed laptops, build it once on a machine of each kind
(Linux, macOS on Intel or Apple silicon, Windows with WSL) into the same folder, and copy the
folder to the students (a USB stick, a shared drive). Every file is checked against the
lock's hashes, on download and on install.

Only the standard library is used: it runs before the project's environment exists.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
# What installs the lock and builds, offline, the project in editable mode and the locked
# packages published without a wheel (kfp-server-api): the installers, the project's build
# backend (pyproject.toml's build-system, with editables for an editable install) and
# setuptools.
TOOLS = ["pip", "uv", "hatchling", "editables", "setuptools", "wheel"]


def _run(*command: str | Path) -> None:
    print("+", " ".join(map(str, command)), flush=True)
    if subprocess.run([str(part) for part in command], cwd=ROOT).returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, command))}")


def build(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wheelhouse-") as scratch:
        venv.create(scratch, with_pip=True)  # a pip of its own: the machine's may be missing
        pip = [Path(scratch) / "bin" / "python", "-m", "pip", "--disable-pip-version-check"]
        download = [*pip, "download", "--quiet", "--prefer-binary", "--dest", dest]
        # The lock pins every package: each is fetched as pinned, none resolved again.
        _run(*download, "--no-deps", "--require-hashes", "-r", LOCK)
        _run(*download, "--only-binary=:all:", *TOOLS)
    files = [path for path in dest.iterdir() if path.is_file()]
    size = sum(path.stat().st_size for path in files) / 1e6
    print(f"{len(files)} packages, {size:,.0f} MB, in {dest}: copy the folder to the")
    print("students; they run: make setup-offline WHEELHOUSE=<where they copied it>")


def install(source: Path) -> None:
    if not any(source.glob("uv-*.whl")):
        raise SystemExit(
            f"no wheelhouse at {source}: ask the teacher for it (made by `make wheelhouse`), "
            "and pass where you copied it: make setup-offline WHEELHOUSE=/path/to/wheelhouse"
        )
    python = ROOT / ".venv" / "bin" / "python"
    offline = ["--no-index", "--find-links", source]
    _run(sys.executable, "-m", "venv", ROOT / ".venv")
    _run(python, "-m", "pip", "install", "--quiet", *offline, "--upgrade", "pip", "uv")
    uv = [python, "-m", "uv", "pip", "install", "--python", python, "--quiet", "--offline"]
    _run(*uv, *offline, "--compile-bytecode", "--require-hashes", "-r", LOCK)
    _run(*uv, *offline, "--compile-bytecode", "--no-deps", "-e", ROOT)
    print("the environment is ready, without the internet: now `make doctor`")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build").add_argument(
        "--dest", type=Path, default=ROOT.parent / "wheelhouse"
    )
    commands.add_parser("install").add_argument("--from", dest="source", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "build":
        build(args.dest.resolve())
    else:
        install(args.source.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
