"""The clinic's profile loader: the committed clinic.yml, and every way a profile can be wrong
(each error names the key), on real files."""
import re
from pathlib import Path

import pytest
import yaml

from common import clinic
from common.clinic import DEFAULT_PROFILE, KEYS, ClinicProfileError, current, load

DEMO = yaml.safe_load(DEFAULT_PROFILE.read_text())
REQUIRED = [key for key, (required, _) in KEYS.items() if required]
OPTIONAL = [key for key, (required, _) in KEYS.items() if not required]


def without(data: dict, key: str) -> dict:
    data = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    section, _, inner = key.rpartition(".")
    (data[section] if section else data).pop(inner)
    return data


def write(tmp_path, data) -> Path:
    path = tmp_path / "profile.yml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def error(tmp_path, data) -> str:
    """The error loading `data` gives, after the file's name that starts it."""
    path = write(tmp_path, data)
    with pytest.raises(ClinicProfileError) as raised:
        load(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: "), message
    return message[len(f"{path}: "):]


def test_the_committed_profile_loads_as_the_demo_clinic():
    profile = current({})
    assert profile.name == "Riverside Spine Clinic (demo)"
    assert profile.timezone == "America/New_York"
    assert profile.emergency_number == "911"
    assert profile.same_day.phone.startswith("555") and profile.appointments.phone.startswith("555")
    assert ".example.org/" in profile.booking_url
    assert all(getattr(profile, key) for key in ("address", "referral", "costs", "insurance",
                                                  "talk_to_person"))


def test_every_key_is_documented_by_a_comment_in_the_committed_file():
    """The comment just above each key starts with whether it is required."""
    lines = DEFAULT_PROFILE.read_text().splitlines()

    def line_of(name: str, indent: str, start: int = 0) -> int:
        return next(i for i in range(start, len(lines)) if lines[i].startswith(indent + name + ":"))

    for key, (required, _) in KEYS.items():
        section, _, name = key.rpartition(".")
        at = line_of(name, "  ", line_of(section, "")) if section else line_of(name, "")
        start = at
        while lines[start - 1].strip().startswith("#"):
            start -= 1
        assert lines[start].strip().startswith("# Required." if required else "# Optional."), key


@pytest.mark.parametrize("key", REQUIRED)
def test_a_missing_required_key_is_named(tmp_path, key):
    assert error(tmp_path, without(DEMO, key)) == f"`{key}` is missing"


@pytest.mark.parametrize("key", ["name", "same_day.phone"])
def test_an_empty_required_value_counts_as_missing(tmp_path, key):
    data = without(DEMO, key)
    section, _, inner = key.rpartition(".")
    (data[section] if section else data)[inner] = "  "
    assert error(tmp_path, data) == f"`{key}` is missing"


@pytest.mark.parametrize("key,value,reason", [
    ("booking_url", "riverside.example.org/book", "must be an http(s) URL"),
    ("booking_url", "javascript:alert(1)", "must be an http(s) URL"),
    ("booking_url", "https://example.org/a b", "must be an http(s) URL"),
    ("timezone", "Eastern Time", "must be an IANA time zone name"),
    ("timezone", "America/Gotham", "must be an IANA time zone name"),
    ("timezone", "../../etc/passwd", "must be an IANA time zone name"),
    ("emergency_number", 911, "must be text (in quotes)"),
    ("emergency_number", "nine one one", "must be a phone number"),
    ("costs", ["$100"], "must be text (in quotes)"),
    ("name", {"en": "Riverside"}, "must be text (in quotes)"),
])
def test_a_malformed_value_is_named_with_what_is_wrong(tmp_path, key, value, reason):
    assert error(tmp_path, {**DEMO, key: value}).startswith(f"`{key}` {reason}")


def test_a_malformed_value_inside_a_section_is_named(tmp_path):
    data = {**DEMO, "same_day": {**DEMO["same_day"], "phone": 5550100}}
    assert error(tmp_path, data) == "`same_day.phone` must be text (in quotes)"


def test_a_section_that_is_not_a_mapping_is_named(tmp_path):
    message = error(tmp_path, {**DEMO, "appointments": "555-0123"})
    assert message.startswith("`appointments` must be a mapping")


def test_a_misspelt_key_is_named_instead_of_becoming_i_dont_know(tmp_path):
    data = {**without(DEMO, "insurance"), "insurence": DEMO["insurance"]}
    assert error(tmp_path, data) == "unknown key `insurence`"


@pytest.mark.parametrize("text", ["- name: Riverside\n", "just a name\n", ""])
def test_a_file_that_is_not_a_mapping_is_refused(tmp_path, text):
    assert error(tmp_path, text).startswith("must be a mapping of keys to values")


def test_invalid_yaml_is_refused_with_its_line(tmp_path):
    text = DEFAULT_PROFILE.read_text() + 'costs: "unclosed\n'
    assert re.fullmatch(r"is not valid YAML at line \d+", error(tmp_path, text))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ClinicProfileError, match="cannot be read"):
        load(tmp_path / "nowhere.yml")


def test_absent_optional_keys_are_none(tmp_path):
    data = DEMO
    for key in OPTIONAL:
        data = without(data, key)
    profile = load(write(tmp_path, data))
    assert profile.booking_url is profile.costs is profile.same_day.hours is None
    assert [getattr(profile, key) for key in OPTIONAL if "." not in key] == [None] * 6


def test_the_environment_overrides_single_values():
    profile = current({"EMERGENCY_NUMBER": "112", "BOOKING_PHONE": "555-0199",
                       "BOOKING_URL": "https://book.example.org/"})
    assert profile.emergency_number == "112"
    assert profile.appointments.phone == "555-0199"
    assert profile.booking_url == "https://book.example.org/"
    assert profile.same_day.phone == DEMO["same_day"]["phone"]
    assert current({"EMERGENCY_NUMBER": " "}).emergency_number == "911"


def test_a_malformed_override_names_the_variable():
    with pytest.raises(ClinicProfileError) as raised:
        current({"BOOKING_URL": "book.example.org"})
    assert str(raised.value) == ("BOOKING_URL (overriding clinic.yml): `booking_url` must be "
                                 "an http(s) URL")


def test_clinic_profile_names_another_file(tmp_path):
    path = write(tmp_path, {**DEMO, "name": "Lakeside Back Care"})
    assert current({"CLINIC_PROFILE": str(path)}).name == "Lakeside Back Care"
    assert clinic.profile_path({"CLINIC_PROFILE": "clinic.yml"}) == DEFAULT_PROFILE
    assert clinic.profile_path({}) == DEFAULT_PROFILE
