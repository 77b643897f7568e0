"""The Dask cluster the `--engine dask` commands run on (jobs/dask_engine.py).

`DASK_SCHEDULER_ADDRESS` set (`tcp://scheduler:8786`): the cluster at that address, which
must reach the data files and this project's folder by the same paths. Unset: a
`distributed.LocalCluster` on this machine, two worker processes of one thread each, no
dashboard, each worker held to `memory_limit` (Dask spills to disk, then pauses, then
restarts a worker that goes beyond it).

Dask is imported here and in the two modules of the engine only, and only when a command is
given `--engine dask`: `make setup && make run` never imports it (it is the `dask` extra).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..errors import UserError

if TYPE_CHECKING:
    from distributed import Client

SCHEDULER_ADDRESS = "DASK_SCHEDULER_ADDRESS"
# Two workers of one thread each: the features are pure Python (one thread holds the GIL),
# and two processes are what a CI runner and most laptops can give.
LOCAL_WORKERS = 2
THREADS_PER_WORKER = 1
# How long to wait for the scheduler at DASK_SCHEDULER_ADDRESS before giving up.
CONNECT_TIMEOUT = "20s"


class ClusterError(UserError, RuntimeError):
    """The Dask cluster cannot be reached, or a local one cannot start as asked."""


@contextmanager
def connect(memory_limit: str | None = None, workers: int = LOCAL_WORKERS) -> Iterator[Client]:
    """A client of the cluster at `DASK_SCHEDULER_ADDRESS`, else of a local cluster of
    `workers` processes held to `memory_limit` each ("256MB"; default: Dask's share of this
    machine's memory). Closed (and a local cluster stopped) on leaving."""
    from dask.utils import parse_bytes
    from distributed import Client, LocalCluster

    configure()
    address = os.environ.get(SCHEDULER_ADDRESS)
    if address:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError) as error:  # unreachable, refused, or not an address
            raise ClusterError(
                f"no Dask scheduler answers at {SCHEDULER_ADDRESS}={address} ({error}): start "
                f"it, correct the address, or unset {SCHEDULER_ADDRESS} for a local cluster"
            ) from None
        with client:
            yield client
        return
    if memory_limit is not None:
        try:
            parse_bytes(memory_limit)
        except ValueError:
            raise ClusterError(
                f"--memory-limit {memory_limit!r} is not a size: write it as 1GB, 2GiB or 512MB"
            ) from None
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=THREADS_PER_WORKER,
            dashboard_address=None,
            memory_limit=memory_limit or "auto",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def configure() -> None:
    """Dask's settings for this project's frames, in this process (the client's)."""
    import dask

    # Text columns stay Python strings, as pandas reads them in the rest of the project
    # (Dask would turn them into pyarrow strings, which the schema's checks do not expect).
    dask.config.set({"dataframe.convert-string": False})
    # The p2p shuffle announces every shuffle at WARNING; it is the normal course here.
    logging.getLogger("distributed.shuffle._scheduler_plugin").setLevel(logging.ERROR)
