"""The core: the data's schema, reading and splitting data, and the servable model bundle.

No network, no model store, no server: functions of data and configuration, used by every
job and by the service alike.
"""
