"""Table-driven tests for the number answers (triage.md: durations and ages in free words)."""

from datetime import date

import pytest

from rasa_server.nlu.language.numbers import (
    WEEKS_PER_MONTH,
    WEEKS_PER_YEAR,
    parse_age,
    parse_duration_weeks,
    temperature_celsius,
)

# A Wednesday, so weekday and month answers have fixed values.
TODAY = date(2024, 5, 15)

# --------------------------------------------------------------------------------------
# durations
# --------------------------------------------------------------------------------------

M = WEEKS_PER_MONTH
Y = WEEKS_PER_YEAR

DURATIONS = [
    ("3 days", 3 / 7),
    ("a couple of weeks", 2),
    ("about two months", 2 * M),
    ("since last year", Y),
    ("six weeks", 6),
    ("since March", 75 / 7),  # 1 March 2024 to 15 May 2024
    ("a fortnight", 2),
    ("10 days", 10 / 7),
    ("a year and a half", 1.5 * Y),
    ("half a year", 0.5 * Y),
    ("few days", 3 / 7),
    ("a week or so", 1),
    ("yesterday", 1 / 7),
    ("this morning", 0),
    ("since Monday", 2 / 7),
    ("2wks", 2),
    ("3 mnths", 3 * M),
    ("couple weeks", 2),
    ("two and a half weeks", 2.5),
    ("2-3 weeks", 3),  # ranges take the upper bound
    ("two or three weeks", 3),
    ("a week or two", 2),
    ("for weeks", 2),  # bare plural: at least two
    ("on and off for years", 2 * Y),
    ("since christmas", 142 / 7),
    ("since december", 166 / 7),  # the most recent December is last year's
    ("since febuary", 104 / 7),  # typo
    ("since 2019", (TODAY - date(2019, 1, 1)).days / 7),
    ("since march 3rd", 73 / 7),
    ("about 6 months now", 6 * M),
    ("1 year and 2 months", Y + 2 * M),
    ("the day before yesterday", 2 / 7),
    ("a few weeks ago", 3),
    ("twenty one days", 3),
    ("1.5 weeks", 1.5),
    ("3 weeeks", 3),
    ("about 2 weks", 2),
    ("2 monthes", 2 * M),
    ("a fortnite", 2),
    ("3 yrs", 3 * Y),
    ("4-6 weeks", 6),
    ("more than 6 weeks", 6),
    ("It's been about ten days now", 10 / 7),
    ("started 2 weeks back", 2),
    ("since last week", 1),
    ("1wk", 1),
]


@pytest.mark.parametrize("text,weeks", DURATIONS)
def test_duration(text, weeks):
    assert parse_duration_weeks(text, today=TODAY) == pytest.approx(weeks, abs=0.01)


UNPARSEABLE_DURATIONS = [
    "yesterday-ish?",  # hedged relative day: re-ask
    "5",  # bare number: days? weeks? re-ask
    "ages",
    "a long time",
    "since my fall",  # an event, not a date
    "a wee while",
    "purple",
    "",
    "400 years",  # out of range
    "since 1900",  # more than 100 years
]


@pytest.mark.parametrize("text", UNPARSEABLE_DURATIONS)
def test_duration_unparseable(text):
    assert parse_duration_weeks(text, today=TODAY) is None


def test_duration_prefers_entities():
    assert parse_duration_weeks("I'm 67 and it's been 3 weeks", ["67", "3 weeks"],
                                today=TODAY) == pytest.approx(3)
    assert parse_duration_weeks("since March", ["March"], today=TODAY) == pytest.approx(75 / 7)


def test_duration_falls_back_to_text_when_entities_do_not_parse():
    assert parse_duration_weeks("a couple of weeks", ["couple"], today=TODAY) == 2


def test_hedged_day_is_not_rescued_by_an_entity():
    assert parse_duration_weeks("yesterday-ish?", ["yesterday"], today=TODAY) is None


def test_since_weekday_on_that_weekday_is_a_week():
    assert parse_duration_weeks("since Wednesday", today=TODAY) == pytest.approx(1)


# --------------------------------------------------------------------------------------
# ages
# --------------------------------------------------------------------------------------

AGES = [
    ("I'm 67", 67),
    ("sixty-two", 62),
    ("67 years old", 67),
    ("45", 45),
    ("I am seventy one", 71),
    ("turned 70 last month", 70),
    ("72yo", 72),
    ("age 50", 50),
    ("67 y/o", 67),
    ("i'm 45 yrs", 45),
    ("im 38", 38),
    ("ninety nine", 99),
    ("a hundred and two", 102),
    ("fourty five", 45),  # typo
    ("im sixty eight yrs old", 68),
    ("I am 45 years of age", 45),
    ("I'll be 66 in June", 66),
    ("eighty-two", 82),
    ("in my seventies", 70),  # decade start: exact for the 50/70 thresholds
    ("early fifties", 50),
    ("60s", 60),
    ("born in 1956", 68),
    ("I'm 67 and the pain started 3 weeks ago", 67),
]


@pytest.mark.parametrize("text,age", AGES)
def test_age(text, age):
    assert parse_age(text, today=TODAY) == pytest.approx(age)


BAD_AGES = ["400", "I'm 0", "3 weeks", "six months", "purple", "", "how old?", "a few"]


@pytest.mark.parametrize("text", BAD_AGES)
def test_age_unparseable_or_out_of_range(text):
    assert parse_age(text, today=TODAY) is None


def test_age_uses_cardinal_entities_but_not_durations():
    assert parse_age("I'm 67 and the pain started 3 weeks ago", ["67", "3"]) == 67
    assert parse_age("3 weeks", ["3"]) is None


@pytest.mark.parametrize("text,after,celsius", [
    ("38.7", "", 38.7), ("38,4", "", 38.4), ("101.5F", "", 38.6), ("39", "° C", 39.0),
    ("38.7c", "", 38.7), ("100", "degrees f", 37.8), ("98.6", "", 37.0),
    ("40", "years", None), ("38", "kg", None), ("5", "", None), ("120", "", None),
    ("37.5", "f", None), ("two", "", None),
])
def test_a_body_temperature_in_celsius(text, after, celsius):
    assert temperature_celsius(text, after) == (celsius if celsius is None
                                                else pytest.approx(celsius))

