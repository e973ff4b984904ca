"""`make report`: the insights of a period as one HTML file, results/insights-report-FROM-TO.html,
with its stylesheet, charts and figures inline: it opens without a connection (from a file, on
any computer) and prints well. Generating it is recorded in the audit log as an export, by the
user running it. The page's "Download this as a report" (GET /report) gives the same file.

    .venv/bin/python -m insights.report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--channel NAME]

Default: the last 30 days, all channels. The store and the time zone are the insights page's
(ANALYTICS_URL, the clinic profile's time zone: insights/settings.py).
"""
import argparse
import datetime
import getpass
import os
import sys
from pathlib import Path
from typing import Optional, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from common.settings import ROOT, analytics_url
from insights import pages, store
from insights.settings import clinic_timezone, date_range

WEB = ROOT / "insights" / "web" / "dist"
RESULTS = ROOT / "results"


def web_files() -> Tuple[str, str]:
    """The stylesheet and the script bundle, as `make insights-web` built them."""
    try:
        return ((WEB / "insights.css").read_text(encoding="utf-8"),
                (WEB / "insights.js").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuntimeError(f"{WEB.relative_to(ROOT)} is missing its files: "
                           "`make insights-web` builds them") from None


def build(engine: sa.engine.Engine, start: datetime.date, end: datetime.date,
          channel: Optional[str], timezone: str) -> str:
    css, script = web_files()
    summary = store.summary(engine, start, end, channel, timezone)
    details = store.details(engine, start, end, channel, timezone)
    generated = datetime.datetime.now(ZoneInfo(timezone))
    return pages.report_document(summary, details, start, end, channel, timezone, generated,
                                 css, script)


def file_name(start: datetime.date, end: datetime.date) -> str:
    return f"insights-report-{start.isoformat()}-{end.isoformat()}.html"


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD [30 days ago]")
    parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD [today]")
    parser.add_argument("--channel", help="only this channel (rest, socketio, ...) [all]")
    parser.add_argument("--output", type=Path,
                        help="the file [results/insights-report-FROM-TO.html]")
    args = parser.parse_args(argv)
    timezone = clinic_timezone(os.environ)
    try:
        start, end = date_range(args.start, args.end, timezone)
    except ValueError as error:
        parser.error(str(error))
    output = args.output or RESULTS / file_name(start, end)
    engine = store.engine_for(analytics_url(os.environ))
    try:
        document = build(engine, start, end, args.channel or None, timezone)
        store.audit(engine, getpass.getuser(), "export", start, end, args.channel or None,
                    "command line")
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.touch(mode=0o600)  # masked texts of patients' messages: for its owner only
    output.write_text(document, encoding="utf-8")
    print(f"Report written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
