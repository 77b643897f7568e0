"""The shared online store: the domain features' state in Redis, for several replicas.

By default the service keeps the features' state (each customer's, patient's or series'
recent history) in its own memory, loaded with the model: one process, one event loop, so
no two requests update an entity at once. Several processes (BentoML workers, replicas
behind a load balancer) must share that state instead, or each would see only the requests
it happens to get. Set `ONLINE_STORE_URL=redis://host:6379/0` and every worker reads and
updates it here.

The state is split the way the features module splits it (`features.state_keys`): a key per
entity, and one per piece of state that entities share (fraud's statistics of amounts per
merchant category), each a JSON document under `<model name>:state:<key>`. For each row the
store reads the row's keys into an empty history, computes the row's features with the same
`row_features` as everywhere, and writes the keys back only if none of them changed since
they were read: a compare-and-set, one Lua script that Redis runs atomically (`CHECK_AND_SET`).
If one changed, nothing is written, the script returns the keys' current values, and the row
starts over from them. So two replicas scoring the same customer at the same moment never
lose an update: one of them recomputes its row from the other's result. A row costs two
round trips: the read (shared with the service's check that the row is not older than its
entity's history, `last_seen`) and the compare-and-set.

The store is seeded once, from the champion's saved history (the end of its training data),
by the `seed-online-store` command, never by a replica at start: a replica that starts later
must not roll the state back to the training snapshot. A service whose store was never
seeded refuses to start and says so. A later version is served from the same state (it
holds what happened since training); one whose features keep their state otherwise (other
settings) cannot be swapped in under it.

Needs the `redis` extra (`pip install -e '.[redis]'`, in requirements.lock with the rest).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from ..config import Config
from ..domain import features
from ..errors import UserError

URL_VARIABLE = "ONLINE_STORE_URL"
# How long a request may wait for Redis before it fails (and the service answers 500 and
# logs why) instead of hanging.
TIMEOUT_S = 2.0
# KEYS: a row's keys; ARGV: the value each held when read ('' for none), then the values to
# write. All written if every key still holds what was read; else nothing, and the keys'
# current values are returned, to start the row over from. JSON values are never ''.
CHECK_AND_SET = """
for i, key in ipairs(KEYS) do
  if (redis.call('GET', key) or '') ~= ARGV[i] then
    return redis.call('MGET', unpack(KEYS))
  end
end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[#KEYS + i])
end
return 1
"""
# Values read by `last_seen` and not yet used by `features` (a refused request's): dropped
# past this many keys.
READ_AHEAD_LIMIT = 10_000
_UNREAD: Any = object()


class OnlineStoreError(UserError, RuntimeError):
    """The online store is unreachable, not seeded, or seeded for other features."""


def store_url() -> str | None:
    """The online store's URL (`ONLINE_STORE_URL`), None for the in-process default."""
    return os.environ.get(URL_VARIABLE) or None


def connect(url: str) -> Any:
    """A Redis client for `url`; OnlineStoreError naming the fix if it cannot answer."""
    try:
        import redis
    except ImportError:
        raise OnlineStoreError(
            f"{URL_VARIABLE} is set but the redis client is not installed: install the "
            "project with its `redis` extra (`uv pip install -e '.[redis]'`), or unset "
            f"{URL_VARIABLE} to keep the state in the service's memory"
        ) from None
    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)
    try:
        client.ping()
    except redis.RedisError as error:
        raise OnlineStoreError(f"cannot reach the online store at {url}: {error}") from None
    return client


def _signature(spec: Any) -> dict[str, Any]:
    """What decides how the features keep their state: two versions with equal signatures
    can share a store."""
    return {
        "feature_engineering": spec.feature_engineering,
        "feature_settings": spec.feature_settings,
    }


class RedisState:
    """The features' state of one model in Redis (`core.online.EntityState`).

    `remember=False` reads without writing: the challenger scored in shadow sees the state
    its champion sees, and changes nothing.
    """

    def __init__(self, client: Any, namespace: str, spec: Any, *, remember: bool = True) -> None:
        self.client = client
        self.prefix = f"{namespace}:state:"
        self.settings = spec.feature_settings
        self.remember = remember
        # `state_keys` reads only the row and the settings: one empty history serves every row.
        self._empty = features.new_history(self.settings)
        self._check_and_set = client.register_script(CHECK_AND_SET)
        # What `last_seen` read, by Redis key, for `features` to start from (`_read`).
        self._read_ahead: dict[str, bytes | None] = {}

    def _keys(self, row: dict[str, Any]) -> list[str]:
        return features.state_keys(row, self._empty)

    def _history(self, keys: list[str], values: list[bytes | None]) -> Any:
        history = features.new_history(self.settings)
        for key, value in zip(keys, values, strict=True):
            if value is not None:
                features.set_state(history, key, json.loads(value))
        return history

    def _read(self, names: list[str]) -> list[bytes | None]:
        """The values of the Redis keys `names`: those `last_seen` read for this row (used
        once), else read now. Either may have changed since: the compare-and-set tells."""
        values = [self._read_ahead.pop(name, _UNREAD) for name in names]
        if any(value is _UNREAD for value in values):
            return list(self.client.mget(names))
        return values

    def last_seen(self, row: dict[str, Any]) -> datetime | None:
        keys = self._keys(row)
        names = [self.prefix + key for key in keys]
        values = list(self.client.mget(names)) if keys else []
        if len(self._read_ahead) > READ_AHEAD_LIMIT:
            self._read_ahead.clear()
        self._read_ahead.update(zip(names, values, strict=True))
        return features.row_last_seen(row, self._history(keys, values))

    def features(self, row: dict[str, Any]) -> list[float]:
        keys = self._keys(row)
        if not keys:  # the features keep no state for this row
            return features.row_features(row, features.new_history(self.settings))
        names = [self.prefix + key for key in keys]
        values = self._read(names)
        while True:
            history = self._history(keys, values)
            computed = features.row_features(row, history)
            if not self.remember:
                return computed
            written = [json.dumps(features.get_state(history, key)) for key in keys]
            read = [b"" if value is None else value for value in values]
            result = self._check_and_set(keys=names, args=[*read, *written])
            if result == 1:
                return computed
            values = list(result)  # another replica wrote one of the keys: start over


def meta_key(namespace: str) -> str:
    return f"{namespace}:meta"


def check_seeded(client: Any, namespace: str, spec: Any) -> None:
    """OnlineStoreError unless the store was seeded for features like `spec`'s."""
    raw = client.get(meta_key(namespace))
    if raw is None:
        raise OnlineStoreError(
            f"the online store has no state for {namespace}: run the `seed-online-store` "
            "command once (it copies the champion's saved history into the store)"
        )
    seeded = json.loads(raw)
    if seeded["signature"] != _signature(spec):
        raise OnlineStoreError(
            f"the online store holds state for other features ({seeded['signature']}), "
            f"seeded from {seeded['version']}: seed it again for this version with "
            "`seed-online-store --replace`"
        )


def shared_state(config: Config, spec: Any, *, remember: bool = True) -> RedisState | None:
    """The state of the features of `spec` in the online store, when one is configured and
    the features keep state; None for the in-process default."""
    url = store_url()
    if url is None or spec.feature_engineering == "none":
        return None
    client = connect(url)
    namespace = config.registry.model_name
    check_seeded(client, namespace, spec)
    return RedisState(client, namespace, spec, remember=remember)


def seed(config: Config, pipeline: Any, *, replace: bool = False) -> int:
    """Copy `pipeline`'s saved history into the online store; the number of keys written.

    Refused if the store already holds state (it holds what happened since training, which
    the snapshot would roll back), unless `replace`, which deletes it first.
    """
    url = store_url()
    if url is None:
        raise OnlineStoreError(f"set {URL_VARIABLE} (redis://host:port/db) to seed a store")
    if pipeline.history is None:
        raise OnlineStoreError(f"{pipeline.version} uses no domain features: nothing to seed")
    client = connect(url)
    namespace = config.registry.model_name
    if client.exists(meta_key(namespace)) and not replace:
        raise OnlineStoreError(
            f"the online store already holds {namespace}'s state: it knows what happened "
            "since training, which seeding would roll back; pass --replace to start over"
        )
    client.delete(meta_key(namespace))  # unseeded until the last key is written
    prefix = f"{namespace}:state:"
    for stale in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(stale)
    keys = features.state_key_list(pipeline.history)
    writes = client.pipeline(transaction=False)
    for position, key in enumerate(keys, start=1):
        writes.set(prefix + key, json.dumps(features.get_state(pipeline.history, key)))
        if position % 1000 == 0:
            writes.execute()
    writes.set(
        meta_key(namespace),
        json.dumps({"version": pipeline.version, "signature": _signature(pipeline.spec)}),
    )
    writes.execute()
    return len(keys)
