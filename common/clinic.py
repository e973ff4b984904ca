"""The clinic's profile (clinic.yml, documented there): what the assistant says about the clinic.

Read and checked in one place, so that a missing or malformed value stops a server at start-up
with the key named, instead of reaching a patient as a wrong number. Only the standard library
and PyYAML: the action server imports it without Rasa, and widget/serve.py, run as a script,
loads this file by its path.
"""
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_PROFILE = PROJECT / "clinic.yml"
# Environment variables that override one value of the profile each.
OVERRIDES = {"EMERGENCY_NUMBER": "emergency_number", "BOOKING_PHONE": "appointments.phone",
             "BOOKING_URL": "booking_url"}
SECTIONS = ("same_day", "appointments")
PHONE = re.compile(r"\+?[0-9() .-]+")


class ClinicProfileError(ValueError):
    """A profile the servers must not start with; the message names the file and the key."""


@dataclass(frozen=True)
class Line:
    """A phone line, and when it is open if the profile says."""
    phone: str
    hours: Optional[str]


@dataclass(frozen=True)
class Clinic:
    name: str
    timezone: str
    emergency_number: str
    same_day: Line
    appointments: Line
    booking_url: Optional[str]
    address: Optional[str]
    referral: Optional[str]
    costs: Optional[str]
    insurance: Optional[str]
    talk_to_person: Optional[str]


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text (in quotes)")
    return value.strip()


def _phone(value: Any) -> str:
    number = _text(value)
    if not PHONE.fullmatch(number) or sum(c.isdigit() for c in number) < 3:
        raise ValueError("must be a phone number: digits, spaces and + ( ) - . only")
    return number


def _timezone(value: Any) -> str:
    name = _text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError("must be an IANA time zone name, such as America/New_York") from None
    return name


def _url(value: Any) -> str:
    url = _text(value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise ValueError("must be an http(s) URL")
    return url


# Every key of the profile: whether it is required, and how its value is checked.
KEYS: Dict[str, Tuple[bool, Callable[[Any], str]]] = {
    "name": (True, _text),
    "timezone": (True, _timezone),
    "emergency_number": (True, _phone),
    "same_day.phone": (True, _phone),
    "same_day.hours": (False, _text),
    "appointments.phone": (True, _phone),
    "appointments.hours": (False, _text),
    "booking_url": (False, _url),
    "address": (False, _text),
    "referral": (False, _text),
    "costs": (False, _text),
    "insurance": (False, _text),
    "talk_to_person": (False, _text),
}


def _flat(data: Mapping[str, Any], label: str) -> Dict[str, Any]:
    """The profile's values by dotted key (`same_day.phone`); unknown keys are errors, since a
    misspelt optional key would otherwise silently become "I don't know"."""
    values: Dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise ClinicProfileError(f"{label}: `{key}` must be a mapping (phone:, hours:)")
            values.update({f"{key}.{inner}": v for inner, v in value.items()})
        else:
            values[str(key)] = value
    unknown = [key for key in values if key not in KEYS]
    if unknown:
        raise ClinicProfileError(f"{label}: unknown key `{unknown[0]}`")
    return values


def _checked(values: Mapping[str, Any], sources: Mapping[str, str]) -> Dict[str, Optional[str]]:
    checked: Dict[str, Optional[str]] = {}
    for key, (required, check) in KEYS.items():
        value = values.get(key)
        if isinstance(value, str) and not value.strip():
            value = None
        if value is None:
            if required:
                raise ClinicProfileError(f"{sources[key]}: `{key}` is missing")
            checked[key] = None
            continue
        try:
            checked[key] = check(value)
        except ValueError as error:
            raise ClinicProfileError(f"{sources[key]}: `{key}` {error}") from None
    return checked


def _label(path: Path) -> str:
    return str(path.relative_to(PROJECT)) if path.is_relative_to(PROJECT) else str(path)


def load(path: Path, overrides: Optional[Mapping[str, str]] = None) -> Clinic:
    """The profile at `path`, with `overrides` (environment variable: value) applied."""
    label = _label(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ClinicProfileError(f"{label}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ClinicProfileError(f"{label}: is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise ClinicProfileError(f"{label}: must be a mapping of keys to values, "
                                 "like the committed clinic.yml")
    values = _flat(data, label)
    sources = dict.fromkeys(KEYS, label)
    for variable, value in (overrides or {}).items():
        values[OVERRIDES[variable]] = value
        sources[OVERRIDES[variable]] = f"{variable} (overriding {label})"
    v = _checked(values, sources)
    return Clinic(
        name=v["name"], timezone=v["timezone"], emergency_number=v["emergency_number"],
        same_day=Line(v["same_day.phone"], v["same_day.hours"]),
        appointments=Line(v["appointments.phone"], v["appointments.hours"]),
        booking_url=v["booking_url"], address=v["address"], referral=v["referral"],
        costs=v["costs"], insurance=v["insurance"], talk_to_person=v["talk_to_person"])


def profile_path(env: Mapping[str, str]) -> Path:
    """CLINIC_PROFILE (relative to the project folder) [clinic.yml in the project folder]."""
    value = (env.get("CLINIC_PROFILE") or "").strip()
    return (PROJECT / value).resolve() if value else DEFAULT_PROFILE


@lru_cache(maxsize=4)
def _cached(path: Path, overrides: Tuple[Tuple[str, str], ...]) -> Clinic:
    return load(path, dict(overrides))


def current(env: Mapping[str, str] = os.environ) -> Clinic:
    """The profile this process runs with: read once per file and overrides, so a change to the
    file takes effect when the servers restart."""
    overrides = tuple((variable, env[variable].strip()) for variable in OVERRIDES
                      if (env.get(variable) or "").strip())
    return _cached(profile_path(env), overrides)
