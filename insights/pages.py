"""The HTML of the insights: the staff page, its login form and the offline report.

The page and the report show the same sections: tables where staff would rather read (FAQ
topics, unanswered messages, feedback, check counts) and charts where they would rather look
(messages and conversations per day, outcomes by level, emergencies by hour, where stopped
checks stopped). Each chart is drawn by insights/web/dist/insights.js from the figures in the
page's JSON data block and has its figures in a table too (visually hidden), for screen readers.
The page loads its stylesheet and script from /static/ (the service's CSP allows no inline
script or style); the report carries them inline, with a CSP of its own that allows exactly
those and nothing from outside.
"""
import base64
import datetime
import functools
import hashlib
import html
import json
from typing import Any, Dict, Iterable, Optional, Sequence
from urllib.parse import urlencode

import yaml

from common.settings import ROOT
from common.triage import LEVELS, SLOTS

LEVEL_LABELS = {
    "emergency": "Emergency: go now",
    "urgent": "Urgent: today",
    "soon": "Soon: book an appointment",
    "self_care": "Self-care",
}
TITLE = "Assistant insights"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


@functools.lru_cache(maxsize=1)
def question_labels() -> Dict[str, str]:
    """The check's questions as the outcome names them (actions/wording.yml), by slot."""
    wording = yaml.safe_load((ROOT / "actions" / "wording.yml").read_text(encoding="utf-8"))
    labels = wording["screening"]["question_labels"]
    return {slot: labels.get(slot, slot)[:1].upper() + labels.get(slot, slot)[1:]
            for slot in SLOTS}


@functools.lru_cache(maxsize=1)
def example_questions() -> Dict[str, str]:
    """The first training example of each FAQ topic (data/nlu/faq.yml), by topic id."""
    nlu = yaml.safe_load((ROOT / "data" / "nlu" / "faq.yml").read_text(encoding="utf-8"))
    return {item["intent"].split("/", 1)[1]: item["examples"].strip().splitlines()[0][2:]
            for item in nlu["nlu"] if item.get("intent", "").startswith("faq/")}


def _day(value: datetime.date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def _range_text(start: datetime.date, end: datetime.date) -> str:
    return _day(start) if start == end else f"{_day(start)} to {_day(end)}"


def _table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
           hidden: bool = False, empty: str = "None in this period.") -> str:
    rows = list(rows)
    if not rows:
        style = "visually-hidden" if hidden else "empty"
        return f'<p class="{style}">{_e(caption)}: {_e(empty)}</p>'
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join("<tr>" + f'<th scope="row">{_e(row[0])}</th>'
                   + "".join(f"<td>{_e(cell)}</td>" for cell in row[1:]) + "</tr>"
                   for row in rows)
    table = (f"<table><caption>{_e(caption)}</caption>"
             f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    # a table keeps its content's width: hidden in a box that is 1 px wide
    return f'<div class="visually-hidden">{table}</div>' if hidden else table


def _chart(name: str, title: str, description: str, table: str) -> str:
    """A chart drawn by the script, with its figures in a visually hidden table."""
    return (f'<figure class="chart" aria-labelledby="{name}-title">'
            f'<figcaption id="{name}-title">{_e(title)}</figcaption>'
            f'<div class="chart-box"><canvas data-chart="{name}" role="img" '
            f'aria-label="{_e(description)} The figures are in the table after the chart.">'
            f"</canvas></div>{table}</figure>")


def _figures(items: Sequence[Sequence[Any]]) -> str:
    return '<dl class="figures">' + "".join(
        f"<div><dt>{_e(label)}</dt><dd>{_e(value)}</dd></div>" for label, value in items
    ) + "</dl>"


def charts(summary: Dict[str, Any], details: Dict[str, Any]) -> Dict[str, Any]:
    """What insights.js draws (see its header), by the canvases' data-chart names."""
    days = details["days"]
    levels = summary["checks"]["levels"]
    stopped = summary["checks"]["stopped_at"]
    labels = question_labels()
    return {
        "days": {"kind": "bar", "labels": [f"{d['date'][8:]}/{d['date'][5:7]}" for d in days],
                 "categoryTitle": "Day", "countTitle": "Number",
                 "series": [{"name": "Messages", "colour": "messages",
                             "values": [d["messages"] for d in days]},
                            {"name": "Conversations", "colour": "conversations", "type": "line",
                             "values": [d["conversations"] for d in days]}]},
        "levels": {"kind": "bar", "labels": [LEVEL_LABELS[level] for level in LEVELS],
                   "countTitle": "Outcomes given",
                   "series": [{"name": "Outcomes", "colours": list(LEVELS),
                               "values": [levels[level] for level in LEVELS]}]},
        "hours": {"kind": "bar", "labels": [f"{h:02d}" for h in range(24)],
                  "categoryTitle": "Hour of the day", "countTitle": "Emergency outcomes",
                  "series": [{"name": "Emergency outcomes", "colour": "emergency",
                              "values": details["emergencies_by_hour"]}]},
        "stopped": {"kind": "bar", "horizontal": True,
                    "labels": [f"{n}. {labels[slot]}" for n, slot in enumerate(SLOTS, 1)],
                    "countTitle": "Checks stopped",
                    "series": [{"name": "Checks stopped", "colour": "stopped",
                                "values": [stopped.get(slot, 0) for slot in SLOTS]}]},
    }


def _sections(summary: Dict[str, Any], details: Dict[str, Any], timezone: str) -> str:
    checks = summary["checks"]
    labels = question_labels()
    examples = example_questions()
    days = details["days"]
    feedback = summary["feedback"]
    return f"""
<section aria-labelledby="overview">
<h2 id="overview">Overview</h2>
{_figures([("Conversations", summary["conversations"]), ("Messages from patients",
            summary["messages"]), ("Symptom checks started", checks["started"]),
           ("Messages not answered", summary["unanswered"]["count"])])}
</section>

<section aria-labelledby="per-day">
<h2 id="per-day">Conversations and messages per day</h2>
{_chart("days", "Messages (bars) and conversations (line) per day",
        "Bar chart of the messages and line of the conversations on each day.",
        _table("Conversations and messages per day", ("Day", "Conversations", "Messages"),
               [(_day(datetime.date.fromisoformat(d["date"])), d["conversations"],
                 d["messages"]) for d in days], hidden=True))}
</section>

<section aria-labelledby="checks">
<h2 id="checks">Symptom checks</h2>
{_table("Symptom checks", ("Checks", "Number"), [
    ("Started", checks["started"]), ("Completed, with an outcome", checks["completed"]),
    ("Stopped before the end", checks["stopped"]),
    ("In progress (active in the last 30 minutes)", details["checks_in_progress"])])}
<div class="pair">
{_chart("levels", "Outcomes given, by level",
        "Bar chart of the outcomes given at each level, emergency advice included.",
        _table("Outcomes given, by level", ("Level", "Outcomes"),
               [(LEVEL_LABELS[level], checks["levels"][level]) for level in LEVELS],
               hidden=True))}
{_chart("stopped", "Where stopped checks stopped (last question asked)",
        "Bar chart of the stopped checks by the last question asked.",
        _table("Where stopped checks stopped", ("Last question asked", "Checks stopped"),
               [(f"{n}. {labels[slot]}", checks["stopped_at"].get(slot, 0))
                for n, slot in enumerate(SLOTS, 1)], hidden=True))}
</div>
<p class="note">Outcomes include emergency advice given when a patient mentioned a warning sign
outside the check.</p>
</section>

<section aria-labelledby="emergencies">
<h2 id="emergencies">Emergency outcomes by time of day</h2>
{_chart("hours", f"Emergency outcomes by hour of the day ({timezone} time)",
        "Bar chart of the emergency outcomes in each hour of the day.",
        _table("Emergency outcomes by hour of the day", ("Hour", "Emergency outcomes"),
               [(f"{h:02d}:00 to {h:02d}:59", n)
                for h, n in enumerate(details["emergencies_by_hour"])], hidden=True))}
</section>

<section aria-labelledby="faq">
<h2 id="faq">Questions answered</h2>
{_table("Answers given, by topic", ("Topic", "Example question", "Answers given"),
        [(topic, examples.get(topic, ""), n) for topic, n in summary["faq_topics"].items()])}
</section>

<section aria-labelledby="feedback">
<h2 id="feedback">Feedback on answers</h2>
{_figures([("Helpful", feedback["helpful"]), ("Not helpful", feedback["not_helpful"])])}
{_table("Feedback by topic", ("Topic", "Helpful", "Not helpful"),
        [(topic, values["helpful"], values["not_helpful"])
         for topic, values in details["feedback_by_topic"].items()])}
</section>

<section aria-labelledby="unanswered">
<h2 id="unanswered">Messages the assistant could not answer</h2>
<p>{summary["unanswered"]["count"]} in this period{
    f", the {len(details['unanswered'])} most recent below"
    if summary["unanswered"]["count"] > len(details["unanswered"]) else ""}.
E-mail addresses show as [email], phone numbers as [phone] and other digits as #.</p>
{_table("Messages not answered, newest first", ("Day", "Message"),
        [(_day(datetime.date.fromisoformat(u["date"])), u["text"])
         for u in details["unanswered"]])}
</section>
"""


def _data_block(summary: Dict[str, Any], details: Dict[str, Any]) -> str:
    data = json.dumps({"charts": charts(summary, details)}).replace("<", "\\u003c")
    return f'<script type="application/json" id="insights-data">{data}</script>'


def _about(start: datetime.date, end: datetime.date, channel: Optional[str],
           timezone: str) -> str:
    return (f"{_range_text(start, end)}, {_e(channel or 'all channels')}; days and hours in "
            f"the clinic's time zone, {_e(timezone)}")


def _document(title: str, head: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
{head}
</head>
<body>
{body}
</body>
</html>
"""


def login_page(message: Optional[str] = None, name: str = "") -> str:
    alert = (f'<p class="error" role="alert" id="login-error">{_e(message)}</p>'
             if message else "")
    described = ' aria-describedby="login-error"' if message else ""
    return _document(f"Log in: {TITLE}", '<link rel="stylesheet" href="/static/insights.css">',
                     f"""<main class="login">
<h1>{TITLE}</h1>
<p>For clinic staff. Log in with your name and the access token you were given.</p>
{alert}
<form method="post" action="/login">
<p><label for="name">Your name</label>
<input id="name" name="name" autocomplete="name" required maxlength="100"
value="{_e(name)}"{described}></p>
<p><label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required
{described}></p>
<p><button type="submit">Log in</button></p>
</form>
</main>""")


def insights_page(summary: Dict[str, Any], details: Dict[str, Any], start: datetime.date,
                  end: datetime.date, channel: Optional[str], timezone: str, who: str,
                  retention_days: float, message: Optional[str] = None) -> str:
    """The staff page: the filter form (a GET form), the sections, a link to the report;
    `message`: what was wrong with the period asked for (the default one is shown)."""
    options = "".join(
        f'<option value="{_e(value)}"{" selected" if value == (channel or "") else ""}>'
        f"{_e(label)}</option>"
        for value, label in [("", "All channels"), *((c, c) for c in details["channels"])])
    query = urlencode({"from": start.isoformat(), "to": end.isoformat(),
                       **({"channel": channel} if channel else {})})
    body = f"""<header class="top">
<p class="title">{TITLE}</p>
<p>Logged in as {_e(who)}</p>
<form method="post" action="/logout"><button type="submit">Log out</button></form>
</header>
<main>
<h1>What patients asked the assistant</h1>
{f'<p class="error" role="alert">{_e(message)}</p>' if message else ""}
<p class="about">{_about(start, end, channel, timezone)}.
Conversations are deleted {retention_days:g} days after their last message, and their counts
with them.</p>
<form method="get" action="/" class="filters" aria-label="Period and channel">
<p><label for="from">From</label> <input type="date" id="from" name="from"
value="{start.isoformat()}" required></p>
<p><label for="to">To</label> <input type="date" id="to" name="to" value="{end.isoformat()}"
required></p>
<p><label for="channel">Channel</label> <select id="channel" name="channel">{options}</select></p>
<p><button type="submit">Show</button></p>
</form>
<p class="download"><a href="/report?{_e(query)}">Download this as a report</a>
(a file that opens without a connection and prints well)</p>
{_sections(summary, details, timezone)}
</main>
{_data_block(summary, details)}
<script src="/static/insights.js"></script>"""
    return _document(f"{TITLE}: {_range_text(start, end)}",
                     '<link rel="stylesheet" href="/static/insights.css">', body)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def report_policy(css: str, script: str) -> str:
    """The report's CSP: its inline stylesheet and script (by hash), nothing else."""
    return (f"default-src 'none'; script-src 'sha256-{_sha256(script)}'; "
            f"style-src 'sha256-{_sha256(css)}'; img-src data:; base-uri 'none'; "
            "form-action 'none'")


def report_document(summary: Dict[str, Any], details: Dict[str, Any], start: datetime.date,
                    end: datetime.date, channel: Optional[str], timezone: str,
                    generated: datetime.datetime, css: str, script: str) -> str:
    """The report: one file with its stylesheet, figures and script inline, whose CSP allows
    exactly those (by hash) and nothing else, so it loads nothing from anywhere."""
    policy = report_policy(css, script)
    head = (f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
            f"<style>{css}</style>")
    body = f"""<main>
<h1>{TITLE}: what patients asked the assistant</h1>
<p class="about">{_about(start, end, channel, timezone)}. Generated
{generated:%Y-%m-%d %H:%M} ({_e(timezone)}).</p>
{_sections(summary, details, timezone)}
</main>
{_data_block(summary, details)}
<script>{script}</script>"""
    return _document(f"{TITLE}: {_range_text(start, end)}", head, body)

