"""Real servers the tests start for themselves: PostgreSQL and Redis, from the machine's
own packages, in temporary folders, stopped after the tests.

The prediction log's PostgreSQL store (test_predlog.py), the shared online store
(test_online_store.py) and the scaled-out service (test_scale_out.py) are tested against the
real thing, not a fake. The fixtures (conftest.py) skip, saying what to install, where a
server or its client library is missing: Debian's `postgresql` and `redis-server`
packages, the project's `postgres` and `redis` extras.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL


def server_programs() -> Path | None:
    """The folder of PostgreSQL's server programs: pg_ctl's on PATH, else Debian's
    /usr/lib/postgresql/<version>/bin (which the postgresql package does not put on PATH),
    the newest version first."""
    on_path = shutil.which("pg_ctl")
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in [*([Path(on_path).resolve().parent] if on_path else []), *debian]:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def server_user() -> str | None:
    """Who runs the server: this user, or as root (which initdb refuses) an unprivileged
    one, `postgres` (the Debian package makes it) or else `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    pytest.skip("running as root, and no unprivileged user (postgres, nobody) to run initdb")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """A throwaway PostgreSQL server: a cluster in a temporary folder, trust authentication,
    no TCP listener (a unix socket in that folder only)."""

    def __init__(self, programs: Path, user: str | None) -> None:
        self.programs = programs
        self.user = user
        self.port = free_port()
        # A short path: a unix socket's path may not exceed about 100 characters.
        self.folder = Path(tempfile.mkdtemp(prefix="predlog-pg-"))
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.names = (f"log_{number}" for number in itertools.count())

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [str(self.programs / command[0]), *command[1:]],
            cwd=self.folder,
            user=self.user,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            log = self.folder / "server.log"
            server_log = log.read_text(errors="replace") if log.is_file() else ""
            raise RuntimeError(
                f"{' '.join(command[:2])} failed:\n{result.stdout}{result.stderr}{server_log}"
            )

    def start(self) -> None:
        data = str(self.folder / "data")
        self._run(
            "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={self.folder} "
            f"-p {self.port} -c fsync=off"
        )
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "start", "-D", data, "-l", log, "-w", "-t", "60", "-o", options)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "stop", "-D", str(self.folder / "data"), "-m", "immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", **query: str) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username="postgres",
            database=database,
            query={"host": str(self.folder), "port": str(self.port), **query},
        )

    def admin(self, statement: str, **parameters: str) -> None:
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(statement), parameters)
        finally:
            engine.dispose()

    def new_database(self) -> URL:
        """A new, empty database: a log of its own for one test."""
        name = next(self.names)
        self.admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_connections(self, database: str) -> None:
        """End every session on `database`, as a restart or a failover does."""
        self.admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name",
            name=database,
        )


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the tests' own, stopped after them. Skips the test where the
    server's programs or the `postgres` extra (psycopg) are missing."""
    pytest.importorskip("psycopg", reason="the `postgres` extra (psycopg) is not installed")
    programs = server_programs()
    if programs is None:
        pytest.skip(
            "PostgreSQL is not installed (no initdb and pg_ctl on PATH or in "
            "/usr/lib/postgresql/*/bin): apt-get install postgresql, brew install postgresql"
        )
    server = PostgresServer(programs, server_user())
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextmanager
def redis_server() -> Iterator[str]:
    """A Redis server on a free port of 127.0.0.1, keeping nothing on disk; yields its URL.
    Skips the test where `redis-server` or the `redis` client is missing."""
    redis = pytest.importorskip("redis", reason="the `redis` extra is not installed")
    program = shutil.which("redis-server")
    if program is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="online-store-"))
    port = free_port()
    options = {"port": str(port), "bind": "127.0.0.1", "save": "", "appendonly": "no"}
    arguments = [part for name, value in options.items() for part in (f"--{name}", value)]
    server = subprocess.Popen(
        [program, *arguments, "--dir", str(folder)], stdout=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(folder, ignore_errors=True)
