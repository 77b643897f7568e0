"""Retention: delete what the prediction log holds beyond `privacy.retention_days`.

The log keeps requests, and requests may be personal data: they are kept for as long as
monitoring and retraining need them, not forever. `prune` deletes older predictions (with
their shadow answers and the outcomes nothing joins any more) and shrinks the file. Run it
daily, as a scheduled job: the service does not prune on its own, so that a long request
never waits for it. An id pruned from the log is no longer recognised as a repeat.
"""

from __future__ import annotations

from ..adapters.predlog import PredictionLog, log_location
from ..config import Config, ConfigError


def prune_log(config: Config, days: int | None = None) -> tuple[int, int]:
    """Delete predictions older than `days` (default `privacy.retention_days`).

    Returns how many were deleted and how many remain.
    """
    days = config.privacy.retention_days if days is None else days
    if days is None:
        raise ConfigError(
            "no retention period: set privacy.retention_days in the configuration, or pass --days"
        )
    if days < 1:
        raise ConfigError(f"the retention period must be at least one day, not {days}")
    with PredictionLog(log_location(config)) as log:
        if not log.exists():
            return 0, 0
        deleted = log.prune(days)
        return deleted, log.count()
