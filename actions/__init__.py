"""The action server's actions (`rasa run actions` imports this package and its modules).

The clinic's profile is read and checked here, as the server starts: a missing or malformed
value stops it with the key named (common/clinic.py), before any patient is told a wrong number.
"""
import common.clinic

common.clinic.current()
