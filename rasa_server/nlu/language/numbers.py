"""Numbers in free-text answers to the check's two number questions (spec: triage.md).

Pure functions, no Rasa or spaCy imports, table-driven tests; the clinical language layer
(rasa_server/nlu/clinical_language.py) calls them on every message and puts what they find in the
parse data. A return value of ``None`` always means "could not
parse": the caller explains the expected answer and asks again.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import List, Optional, Sequence, Tuple

__all__ = [
    "parse_duration_weeks",
    "parse_age",
    "temperature_celsius",
    "DAYS_PER_WEEK",
    "WEEKS_PER_MONTH",
    "WEEKS_PER_YEAR",
]

DAYS_PER_WEEK = 7.0
WEEKS_PER_MONTH = 30.44 / 7.0  # mean Gregorian month
WEEKS_PER_YEAR = 52.18
MAX_WEEKS = 100 * WEEKS_PER_YEAR  # anything longer is a typo, not a history

# --------------------------------------------------------------------------------------
# Text clean-up shared by all parsers
# --------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})

def _clean(text: str) -> str:
    """Lower-case, unify apostrophes/whitespace and expand common contractions."""
    t = (text or "").translate(_APOSTROPHES).lower().strip()
    t = re.sub(r"\s+", " ", t)
    return t


# --------------------------------------------------------------------------------------
# Numbers in digits or words
# --------------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
    # frequent misspellings
    "fiv": 5, "eigth": 8, "nien": 9, "tweleve": 12, "twelv": 12,
    "fourten": 14, "fiveteen": 15, "eightteen": 18, "ninteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "ninty": 90, "tweny": 20,
    "thirthy": 30, "fifity": 50, "sixy": 60, "seventey": 70,
}
# Vague quantities: the spec errs on the side of caution, so "few"/"several" take a
# middling value rather than the smallest one.
_VAGUE = {"a": 1, "an": 1, "single": 1, "couple": 2, "pair": 2, "few": 3,
          "several": 3, "dozen": 12}

_NUMBER_WORDS = set(_UNITS) | set(_TENS) | set(_VAGUE) | {"hundred", "half", "and", "of"}

_NUM_RE = re.compile(r"^\d+(?:\.\d+)?$")


def _parse_number_tokens(tokens: Sequence[str]) -> Optional[float]:
    """Value of a token run such as ["two", "and", "a", "half"] or ["sixty", "two"]."""
    toks = [t for t in tokens if t]
    if not toks:
        return None
    # "and a half" / "and half" at the end of any number.
    half = 0.0
    if len(toks) >= 2 and toks[-1] == "half" and toks[-2] in ("a", "and"):
        half = 0.5
        toks = toks[:-2] if toks[-2] == "a" else toks[:-1]
        if toks and toks[-1] == "and":
            toks = toks[:-1]
    elif toks in (["half"], ["a", "half"], ["half", "a"], ["half", "an"]):
        return 0.5  # "half a year"
    if not toks:
        return None
    # Vague words: "a couple of", "a few", "several".
    filtered = [t for t in toks if t != "of"]
    if filtered and filtered[0] in ("a", "an") and len(filtered) > 1 and filtered[1] in _VAGUE:
        filtered = filtered[1:]
    if len(filtered) == 1 and filtered[0] in _VAGUE:
        return _VAGUE[filtered[0]] + half
    if len(filtered) == 1 and _NUM_RE.match(filtered[0]):
        return float(filtered[0]) + half
    # Word numbers up to 999: [units] hundred [and] [tens] [units].
    total = 0
    current = 0
    seen = False
    for w in filtered:
        if w == "and":
            continue
        if w in ("a", "an") and not seen:
            current = 1  # "a hundred"
            continue
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
            total += current
            current = 0
        elif _NUM_RE.match(w):
            current += float(w)
        else:
            return None
        seen = True
    if not seen:
        return None
    return total + current + half


# --------------------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
    # frequent misspellings
    "febuary": 2, "feburary": 2, "janurary": 1, "januray": 1, "agust": 8, "augest": 8,
    "septmber": 9, "setember": 9, "octobre": 10, "novemeber": 11, "decemeber": 12,
    "decmber": 12, "apirl": 4, "juli": 7,
}
_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}
# Start (month, day) of named periods; the most recent one before today is used.
# "fall" is left out on purpose: "since my fall" is an injury, not autumn.
_NAMED_DATES = {
    "christmas": (12, 25), "xmas": (12, 25), "new year": (1, 1), "new years": (1, 1),
    "new year's": (1, 1), "spring": (3, 1), "summer": (6, 1), "autumn": (9, 1),
    "winter": (12, 1), "halloween": (10, 31), "thanksgiving": (11, 22),
}


def _unit_weeks(word: str) -> Optional[float]:
    """Weeks in one unit word, tolerant of abbreviations and common typos."""
    w = word.strip(".'")
    if not w:
        return None
    if w in _WEEKDAYS or w in _MONTHS:
        return None
    if w in ("h", "hr", "hrs", "hour", "hours", "hous", "hors"):
        return 1.0 / (7 * 24)
    if w in ("min", "mins", "minute", "minutes"):
        return 1.0 / (7 * 24 * 60)
    if w in ("d", "dy", "dys", "dayz", "dsy", "dyas", "dasy") or w.startswith("day"):
        return 1.0 / DAYS_PER_WEEK
    if w in ("night", "nights"):
        return 1.0 / DAYS_PER_WEEK
    # "wee" is not a typo of "week": "a wee while" is Scots for a short time.
    if w in ("w", "wk", "wks", "wek", "weks", "wkes", "weeek", "weeeks", "weekz") \
            or w.startswith("week") or w.startswith("weel") or w.startswith("weke"):
        return 1.0
    if w.startswith("fortn"):
        return 2.0
    if w in ("mo", "mos", "mth", "mths", "mnth", "mnths", "mnt", "mnts", "mons", "monts",
             "mounths", "moths", "monh", "monhs") \
            or w.startswith("month") or w.startswith("mnth") or w.startswith("moneth"):
        return WEEKS_PER_MONTH
    if w in ("y", "yr", "yrs", "yer", "yers", "yaer", "yaers", "yera", "yeras", "years",
             "yrz", "yea") or w.startswith("year"):
        return WEEKS_PER_YEAR
    if w.startswith("decade"):
        return 10 * WEEKS_PER_YEAR
    return None


# "yesterday-ish", "today-ish": the person is hedging about a relative day, which may
# mean days or much longer; re-ask rather than guess (issue example).
_HEDGED_DAY_RE = re.compile(r"\b(?:yesterday|today|tonight|last night)\s*-?\s*ish\b")

_RELATIVE = [
    # (regex, weeks) -- checked only when no "<number> <unit>" phrase was found
    (r"\b(?:this|earlier this) (?:morning|afternoon|evening)\b|\btoday\b|\btonight\b|"
     r"\bjust now\b|\bjust started\b", 0.0),
    (r"\bday before yesterday\b", 2.0 / DAYS_PER_WEEK),
    (r"\blast night\b|\byesterday\b|\byday\b|\bysterday\b|\byesturday\b|\byesterdy\b",
     1.0 / DAYS_PER_WEEK),
    (r"\b(?:earlier )?this week\b", 3.0 / DAYS_PER_WEEK),
    (r"\blast week\b|\ba week ago\b", 1.0),
    (r"\blast month\b|\bthis month\b", WEEKS_PER_MONTH),
    (r"\blast year\b|\bthis year\b", WEEKS_PER_YEAR),
]

# Bare plural unit ("for weeks", "months now", "years"): at least two of them.
_BARE_PLURAL = {"days": 2 / DAYS_PER_WEEK, "weeks": 2.0, "months": 2 * WEEKS_PER_MONTH,
                "years": 2 * WEEKS_PER_YEAR}


def _tokenise_duration(text: str) -> List[str]:
    t = _clean(text)
    t = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", t)  # ordinals: "3rd" -> "3"
    t = re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", t)  # ranges: "2-3" -> "2 to 3"
    t = re.sub(r"(\d)([a-z])", r"\1 \2", t)  # "2wks" -> "2 wks"
    t = re.sub(r"([a-z])(\d)", r"\1 \2", t)
    t = t.replace("-", " ")
    t = re.sub(r"[^a-z0-9.'\s]", " ", t)
    t = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", t)
    return t.split()


def _quantity_before(tokens: List[str], end: int) -> Tuple[Optional[float], int]:
    """Longest number phrase ending just before index ``end`` -> (value, start index)."""
    best: Tuple[Optional[float], int] = (None, end)
    start = end - 1
    while start >= 0 and end - start <= 6:
        run = tokens[start:end]
        if run[0] not in _NUMBER_WORDS and not _NUM_RE.match(run[0]):
            break
        value = _parse_number_tokens(run)
        if value is not None:
            best = (value, start)
        start -= 1
    # ranges: "2 to 3 weeks", "two or three weeks" -> the upper bound (caution).
    v, s = best
    if v is not None and s >= 2 and tokens[s - 1] in ("to", "or"):
        lower, s2 = _quantity_before(tokens, s - 1)
        if lower is not None:
            return max(v, lower), s2
    return best


def _unit_phrases(tokens: List[str]) -> List[Tuple[int, int, float]]:
    """All "<quantity> <unit> [and a half]" phrases as (start, end, weeks)."""
    found = []
    i = 0
    while i < len(tokens):
        unit = _unit_weeks(tokens[i])
        if unit is None or (tokens[i] in ("w", "d", "y", "mo") and i == 0):
            i += 1
            continue
        qty, start = _quantity_before(tokens, i)
        end = i + 1
        if qty is None:
            # "half a year", "half an hour"
            if i >= 2 and tokens[i - 1] in ("a", "an") and tokens[i - 2] == "half":
                qty, start = 0.5, i - 2
            elif tokens[i] in _BARE_PLURAL:
                found.append((i, end, _BARE_PLURAL[tokens[i]]))
                i += 1
                continue
            else:
                i += 1
                continue
        # "a year and a half", "two weeks and a half"
        if tokens[end:end + 3] == ["and", "a", "half"]:
            qty += 0.5
            end += 3
        elif tokens[end:end + 2] == ["and", "half"]:
            qty += 0.5
            end += 2
        # "a week or two", "a month or 2": the upper bound, as for ranges
        if tokens[end:end + 1] == ["or"] and end + 1 < len(tokens):
            other = _parse_number_tokens(tokens[end + 1:end + 2])
            if other is not None and tokens[end + 1] not in ("a", "an", "so"):
                qty = max(qty, other)
                end += 2
        found.append((start, end, qty * unit))
        i = end
    return found


def _most_recent(today: date, month: int, day: int = 1) -> date:
    """The latest date with this month/day that is not after today."""
    try:
        d = date(today.year, month, day)
    except ValueError:
        return None  # type: ignore[return-value]
    if d > today:
        try:
            d = date(today.year - 1, month, day)
        except ValueError:  # 29 Feb
            d = date(today.year - 1, month, 28)
    return d


def _calendar_start(tokens: List[str], today: date) -> Optional[date]:
    """Start date named by the answer ("since March", "since Monday", "since 2019")."""
    joined = " ".join(tokens)
    for name, (m, d) in _NAMED_DATES.items():
        word = re.escape(name)
        if re.search(rf"\b(?:since|from|at|around|over|in|before|after|last|the)\b.*\b{word}\b"
                     rf"|^{word}$", joined):
            return _most_recent(today, m, d)
    for i, tok in enumerate(tokens):
        # "may"/"mar" are also verbs: months only after "since", "in", ... or before a day
        if tok in _MONTHS and not (tok in ("may", "mar") and len(tokens) > 1
                                   and not _month_context(tokens, i)):
            day = 1
            year = None
            if i + 1 < len(tokens) and tokens[i + 1].isdigit():
                n = int(tokens[i + 1])
                if 1 <= n <= 31:
                    day = n
                    if i + 2 < len(tokens) and tokens[i + 2].isdigit() and len(tokens[i + 2]) == 4:
                        year = int(tokens[i + 2])
                elif 1900 <= n <= today.year:
                    year = n
            elif i >= 1 and tokens[i - 1].isdigit() and 1 <= int(tokens[i - 1]) <= 31:
                day = int(tokens[i - 1])
                if i + 1 < len(tokens) and tokens[i + 1].isdigit() and len(tokens[i + 1]) == 4:
                    year = int(tokens[i + 1])
            elif i >= 2 and tokens[i - 1] == "of" and tokens[i - 2].isdigit():
                day = int(tokens[i - 2])
            if year is not None:
                try:
                    return date(year, _MONTHS[tok], day)
                except ValueError:
                    return None
            # "last March" also means the most recent March, as most people use it.
            return _most_recent(today, _MONTHS[tok], day)
    for i, tok in enumerate(tokens):
        if tok in _WEEKDAYS and (tok not in ("sat", "sun", "wed", "mon") or len(tokens) == 1
                                 or (i > 0 and tokens[i - 1] in ("since", "last", "on"))):
            back = (today.weekday() - _WEEKDAYS[tok]) % 7 or 7
            return today - timedelta(days=back)
        if tok == "weekend" and (i > 0 and tokens[i - 1] in ("the", "last", "this")):
            back = (today.weekday() - 5) % 7 or 7
            return today - timedelta(days=back)
    for tok in tokens:
        if tok.isdigit() and len(tok) == 4 and 1900 <= int(tok) <= today.year:
            return date(int(tok), 1, 1)
    return None


def _month_context(tokens: List[str], i: int) -> bool:
    """Whether an ambiguous word ("may") is used as a month here."""
    prev = tokens[i - 1] if i > 0 else ""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    return prev in ("since", "in", "from", "early", "mid", "late", "last", "of", "around",
                    "end", "beginning", "start") or nxt.isdigit()


def _duration_from_text(text: str, today: date) -> Optional[float]:
    if _HEDGED_DAY_RE.search(_clean(text)):
        return None
    tokens = _tokenise_duration(text)
    if not tokens:
        return None
    phrases = _unit_phrases(tokens)
    if phrases:
        # Sum phrases joined by "and"/nothing ("a year and two months"); otherwise the
        # phrases are alternatives ("3 weeks, maybe 4 weeks") and the longest is used.
        total = phrases[0][2]
        best = total
        for (_, e0, _), (s1, _, w1) in zip(phrases, phrases[1:], strict=False):
            gap = tokens[e0:s1]
            if all(g in ("and", "plus") for g in gap):
                total += w1
            else:
                total = w1
            best = max(best, total)
        return max(best, total)
    joined = " ".join(tokens)
    if re.search(r"\bsince last year\b", joined) or re.fullmatch(r"(?:since )?last year", joined):
        return WEEKS_PER_YEAR
    start = _calendar_start(tokens, today)
    if start is not None:
        return (today - start).days / DAYS_PER_WEEK
    for pattern, weeks in _RELATIVE:
        if re.search(pattern, joined):
            return weeks
    return None


def parse_duration_weeks(
    text: str,
    date_entities: Sequence[str] = (),
    today: Optional[date] = None,
) -> Optional[float]:
    """Pain duration in weeks from a free-text answer, or None to re-ask.

    Units: days, weeks, fortnights, months (30.44 days), years (52.18 weeks), in digits,
    words or abbreviations ("2wks", "3 mnths", "a couple of weeks", "two and a half weeks").
    Calendar answers count back from ``today``: "since March" is from 1 March of the most
    recent March, "since Monday" from the most recent Monday before today (7 days on a
    Monday), "since last year" is one year. Ranges take the upper bound ("2-3 weeks" -> 3)
    and bare plurals at least two ("for weeks" -> 2). A bare number without a unit ("5")
    is ambiguous and gives None, as do hedged relative days ("yesterday-ish?") and values
    outside 0..100 years. spaCy DATE/CARDINAL entity texts are tried first, then the text.
    """
    today = today or date.today()
    if _HEDGED_DAY_RE.search(_clean(text)):
        return None
    for candidate in list(date_entities) + [text]:
        weeks = _duration_from_text(candidate, today)
        if weeks is not None:
            if 0 <= weeks <= MAX_WEEKS:
                return weeks
            return None
    return None


# --------------------------------------------------------------------------------------
# Age
# --------------------------------------------------------------------------------------

_DECADES = {"twenties": 20, "thirties": 30, "forties": 40, "fourties": 40, "fifties": 50,
            "sixties": 60, "seventies": 70, "eighties": 80, "nineties": 90}
_NOT_AGE_UNITS_RE = re.compile(
    r"^(?:d|dy|dys|days?|w|wks?|weeks?|weeeks?|fortnights?|mo|mos|mths?|mnths?|months?|"
    r"h|hrs?|hours?|mins?|minutes?|kg|kgs|lbs?|pounds|stone|cm|ft|feet|foot|inch|inches|"
    r"times|%|percent)$"
)


def _age_candidates(tokens: List[str]) -> List[Tuple[float, int, int]]:
    """Every maximal number phrase in the tokens as (value, start, end)."""
    out = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in _VAGUE or tok in ("and", "of", "half"):
            i += 1
            continue
        if tok in _UNITS or tok in _TENS or _NUM_RE.match(tok) or tok == "hundred":
            j = i + 1
            while j < len(tokens) and (tokens[j] in _UNITS or tokens[j] in _TENS
                                       or tokens[j] in ("hundred", "and")):
                j += 1
            while j > i + 1 and tokens[j - 1] == "and":
                j -= 1
            value = _parse_number_tokens(tokens[i:j])
            if value is not None:
                out.append((value, i, j))
            i = j
            continue
        i += 1
    return out


def parse_age(
    text: str,
    cardinal_entities: Sequence[str] = (),
    today: Optional[date] = None,
) -> Optional[float]:
    """Age in years from a free-text answer ("I'm 67", "sixty-two", "72yo"), or None.

    A number followed by a non-year unit ("3 weeks") is a duration, not an age. Decades
    give their first year ("in my seventies" -> 70), which is exact for the spec's 50/70
    thresholds. "born in 1956" is converted with ``today``. Ages outside 1..120 give None.
    spaCy CARDINAL entity texts are tried first, each checked against its context.
    """
    today = today or date.today()
    tokens = _tokenise_duration(text)
    if not tokens:
        return None

    def acceptable(end: int) -> bool:
        nxt = tokens[end] if end < len(tokens) else ""
        if _NOT_AGE_UNITS_RE.match(nxt):
            return False
        if _unit_weeks(nxt) is not None and _unit_weeks(nxt) != WEEKS_PER_YEAR:
            return False
        return True

    def in_range(value: float) -> Optional[float]:
        return value if 1 <= value <= 120 else None

    joined = " ".join(tokens)
    born = re.search(r"\bborn (?:in |on )?(?:\w+ )?(?:\d{1,2} )?(\d{4})\b", joined)
    if born:
        return in_range(float(today.year - int(born.group(1))))

    candidates = _age_candidates(tokens)
    for ent in cardinal_entities:
        ent_tokens = _tokenise_duration(ent)
        value = _parse_number_tokens(ent_tokens)
        if value is None:
            continue
        for v, s, e in candidates:
            if tokens[s:e] == ent_tokens and acceptable(e):
                return in_range(v)
    for v, _, e in candidates:
        if acceptable(e):
            return in_range(v)
    for tok in tokens:
        m = re.fullmatch(r"(\d0)s", tok)
        if tok in _DECADES:
            return float(_DECADES[tok])
        if m:
            return in_range(float(m.group(1)))
    return None


# --------------------------------------------------------------------------------------
# Temperatures ("38.7", "101.5F", "39 °C")
# --------------------------------------------------------------------------------------

# A number without a unit is a temperature in degrees Celsius in this range, or in degrees
# Fahrenheit in the second; with a unit, its own range.
CELSIUS_RANGE = (34.0, 43.0)
FAHRENHEIT_RANGE = (93.0, 110.0)
_TEMPERATURE_RE = re.compile(r"^(\d{2,3}(?:[.,]\d{1,2})?)\s*[°º]?\s*([cf])?$")
_UNIT_WORDS = {"c": "c", "celsius": "c", "centigrade": "c", "f": "f", "fahrenheit": "f"}
_OTHER_UNIT_RE = re.compile(r"^(?:y(?:ea)?rs?|days?|weeks?|months?|kg|kilos?|lbs?|pounds?|"
                            r"stones?|times|mins?|minutes?|hours?|hrs?|%|percent|mg|miles?|mph)$")


def temperature_celsius(text: str, unit_after: str = "") -> Optional[float]:
    """The body temperature a number states, in degrees Celsius ("101.5F" -> 38.6), or None
    when it is no body temperature; `unit_after`: the words right after it ("° C")."""
    match = _TEMPERATURE_RE.match(_clean(text))
    if not match:
        return None
    value = float(match.group(1).replace(",", "."))
    after = re.sub(r"[°º]|\bdegrees?\b", " ", _clean(unit_after)).split()
    if after and _OTHER_UNIT_RE.match(after[0]):  # "40 years", "38 kg"
        return None
    unit = match.group(2) or (_UNIT_WORDS.get(after[0]) if after else None)
    low, high = CELSIUS_RANGE
    if unit == "c" or (unit is None and low <= value <= high):
        return value if low <= value <= high else None
    low, high = FAHRENHEIT_RANGE
    return round((value - 32) * 5 / 9, 1) if low <= value <= high else None

