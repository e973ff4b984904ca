"""What the insights page and the report read from the environment (defaults in brackets), and
the date range they are asked for.

INSIGHTS_TOKEN [unset: the page is off], INSIGHTS_HOST [127.0.0.1], INSIGHTS_PORT [8090],
ANALYTICS_URL [sqlite:///$DATA_DIR/analytics.db], RETENTION_DAYS [30]; the time zone is the
clinic profile's (clinic.yml `timezone`, CLINIC_PROFILE: common/clinic.py).
"""
import datetime
from typing import Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

from common import clinic

DEFAULT_DAYS = 30
MAX_RANGE_DAYS = 366


def clinic_timezone(env: Mapping[str, str]) -> str:
    """The IANA time zone the clinic's days and hours are counted in: its profile's `timezone`
    (checked by common/clinic.py, which names the key when it is missing or malformed)."""
    return clinic.current().timezone


def host(env: Mapping[str, str]) -> str:
    return env.get("INSIGHTS_HOST") or "127.0.0.1"


def today(timezone: str) -> datetime.date:
    return datetime.datetime.now(ZoneInfo(timezone)).date()


def date_range(start: Optional[str], end: Optional[str], timezone: str
               ) -> Tuple[datetime.date, datetime.date]:
    """The local days [start, end] asked for as YYYY-MM-DD, by default the last DEFAULT_DAYS
    days up to today; ValueError with a message for staff when they make no range."""
    try:
        last = datetime.date.fromisoformat(end) if end else today(timezone)
        first = (datetime.date.fromisoformat(start) if start
                 else last - datetime.timedelta(days=DEFAULT_DAYS - 1))
    except ValueError:
        raise ValueError("Dates must be written as YYYY-MM-DD, for example 2025-03-31.") \
            from None
    if first > last:
        raise ValueError("The first day must not be after the last day.")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"Choose at most {MAX_RANGE_DAYS} days.")
    return first, last
