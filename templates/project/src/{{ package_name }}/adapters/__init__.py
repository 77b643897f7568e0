"""Adapters: where the project meets storage and processes.

The model registry (a BentoML model store and a champion pointer), the prediction log
(SQLite), model cards written to disk, the BentoML server process, and MLflow (the runs and
the registry's mirror).
"""
