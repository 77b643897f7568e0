"""The jobs: one module per step of the lifecycle, each a function the CLI and tests call.

A job reads the configuration it needs, calls the core and the adapters, and returns what it
did (a result the CLI prints).
"""
