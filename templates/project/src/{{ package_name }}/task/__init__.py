"""The kind of prediction this project makes, and everything that depends on it.

The metrics, the task's settings, how a model is fitted and turned into an answer: the shared
modules call these and never ask which task they serve. See README.md in this folder.
"""
