"""The labs' checkpoints: `python -m labs.checks N` (make check LAB=N), `--all` (make progress)."""
