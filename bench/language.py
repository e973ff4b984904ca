"""Language figures on the labelled corpus (tests/language/), through the trained model.

Every message goes through the running Rasa server's NLU (`/model/parse`: SpacyNLP, DIET and the
clinical language layer), and is then read the way the product reads it: a statement is an
emergency when its intent is `red_flag` (the rule then gives the emergency advice at once); a
reply to a question is read by actions/reading.py, unless its intent is one the form does not
take as an answer (domain.yml), which then decides (`red_flag`: the emergency advice, unless
its emergency is only possible and its question comes next: actions/reading.py,
left_to_the_check).

`python -m bench.language` starts the servers, prints the figures of every part and writes them
to results/language.json; tests/language/test_language_floors.py asserts the floors on the
held-out part. For the held-out part only figures are shown, never its messages.
"""
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests
import yaml

from actions.reading import left_to_the_check, reply_to
from common import corpus, triage
from common.parse_data import EXPLAIN, UNSURE, YES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "language"
PARTS = corpus.PARTS  # each corpus file says which part it is (common/corpus.py)
RESULTS = ROOT / "results" / "language.json"
# How far a number read may be from the label: "about three weeks" is 3, "a month" 4.35.
NUMBER_TOLERANCE = 0.15


def load(part: str) -> Dict[str, Any]:
    """The part's statements and answers, from all of its files."""
    return corpus.load(CORPUS, part)


def not_answers() -> Dict[str, List[str]]:
    """Per question, the intents whose messages the form does not take as its answer."""
    slots = yaml.safe_load((ROOT / "domain.yml").read_text())["slots"]
    return {slot: next(m.get("not_intent", []) for m in slots[slot]["mappings"]
                       if m["type"] == "from_text") for slot in triage.SLOTS}


class Parser:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.session = requests.Session()

    def __call__(self, text: str) -> Dict[str, Any]:
        response = self.session.post(f"{self.url}/model/parse", params={"token": self.token},
                                     json={"text": text}, timeout=60)
        response.raise_for_status()
        return response.json()


def statement_result(parse: Dict[str, Any]) -> str:
    intent = (parse.get("intent") or {}).get("name")
    return {"red_flag": "emergency", "ask_about_sign": "sign_question"}.get(intent,
                                                                         "not_emergency")


def answer_result(question: str, parse: Dict[str, Any], refused: List[str]) -> Any:
    intent = (parse.get("intent") or {}).get("name")
    if intent == "red_flag":  # unless it waits for the question that asks it
        return reply_to(question, parse) if left_to_the_check(question, parse) else "emergency"
    if intent in refused:
        return f"not read ({intent})"
    return reply_to(question, parse)


def answer_correct(question: str, item: Dict[str, Any], got: Any) -> bool:
    expected = corpus.label(item["expect"])
    if got == "emergency":  # the check ends: right if the reply states what makes it one
        return corpus.states_emergency(item, question)
    if question in triage.NUMERIC_SLOTS:
        if isinstance(expected, (int, float)) and not isinstance(expected, bool):
            return isinstance(got, (int, float)) and abs(got - expected) <= max(
                NUMBER_TOLERANCE * expected, 0.5)
        return got == EXPLAIN if expected == EXPLAIN else got is None  # asked again
    if expected in (YES, UNSURE):  # not sure counts as yes
        return got in (YES, UNSURE)
    return got == expected


def evaluate(parse: Parser, part: str, show_messages: Optional[bool] = None) -> Dict[str, Any]:
    """Figures of one part; its misses too, except for the held-out part."""
    show = part != "held-out" if show_messages is None else show_messages
    labelled, refused = load(part), not_answers()
    categories: Dict[str, Dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses: List[Dict[str, Any]] = []
    for item in labelled.get("statements", []):
        got = statement_result(parse(item["text"]))
        row = categories[item["category"]]
        row["messages"] += 1
        if item["expect"] == "emergency":
            row["emergencies"] += 1
            row["recalled"] += got == "emergency"
        else:
            row["others"] += 1
            row["false_alarms"] += got == "emergency"
        if item["expect"] == "sign_question":
            row["sign_questions"] += 1
            row["sign_questions_answered"] += got == "sign_question"
        if (got == "emergency") != (item["expect"] == "emergency"):
            misses.append({"text": item["text"], "expected": item["expect"], "got": got})
    questions: Dict[str, Dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in labelled.get("answers", []):
        got = answer_result(item["question"], parse(item["text"]), refused[item["question"]])
        row = questions[item["question"]]
        row["answers"] += 1
        correct = answer_correct(item["question"], item, got)
        row["correct"] += correct
        if not correct:
            misses.append({"question": item["question"], "text": item["text"],
                           "expected": corpus.label(item["expect"]), "got": got})
    emergencies = sum(r["emergencies"] for r in categories.values())
    others = sum(r["others"] for r in categories.values())
    result = {
        "part": part,
        "statements": sum(r["messages"] for r in categories.values()),
        "answers": sum(r["answers"] for r in questions.values()),
        "emergency_recall": _ratio(sum(r["recalled"] for r in categories.values()), emergencies),
        "false_alarm_rate": _ratio(sum(r["false_alarms"] for r in categories.values()), others),
        "answer_accuracy": _ratio(sum(r["correct"] for r in questions.values()),
                                  sum(r["answers"] for r in questions.values())),
        "per_category": {name: {**row, "emergency_recall": _ratio(row["recalled"],
                                                                   row["emergencies"]),
                                "false_alarm_rate": _ratio(row["false_alarms"], row["others"])}
                         for name, row in sorted(categories.items())},
        "per_question": {name: {**row, "accuracy": _ratio(row["correct"], row["answers"])}
                         for name, row in sorted(questions.items())},
        "misses": len(misses),
    }
    if show:
        result["missed"] = misses
    return result


def _ratio(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def report(result: Dict[str, Any]) -> str:
    def pct(value: Optional[float]) -> str:
        return "  -  " if value is None else f"{value * 100:5.1f}%"

    lines = [f"== {result['part']}: {result['statements']} statements, {result['answers']} "
             f"answers ==",
             f"emergency recall {pct(result['emergency_recall'])}   false alarms "
             f"{pct(result['false_alarm_rate'])}   answer accuracy "
             f"{pct(result['answer_accuracy'])}",
             f"{'category':30s} {'n':>4s} {'recall':>7s} {'false alarms':>13s}"]
    for name, row in result["per_category"].items():
        lines.append(f"{name:30s} {row['messages']:4d} {pct(row['emergency_recall']):>7s} "
                     f"{pct(row['false_alarm_rate']):>13s}")
    lines.append(f"{'question':30s} {'n':>4s} {'accuracy':>8s}")
    for name, row in result["per_question"].items():
        lines.append(f"{name:30s} {row['answers']:4d} {pct(row['accuracy']):>8s}")
    for miss in result.get("missed", []):
        lines.append(f"  miss: {miss}")
    return "\n".join(lines)


def main() -> int:
    import tempfile
    import uuid

    from scripts.stack import Stack, free_port

    token = "bench-" + uuid.uuid4().hex
    with tempfile.TemporaryDirectory() as run_dir:
        servers = Stack(free_port(), free_port(), log_dir=Path(run_dir) / "logs",
                        env={"DATA_DIR": run_dir, "RASA_API_TOKEN": token})
        servers.start()
        try:
            parse = Parser(servers.url, token)
            results = {part: evaluate(parse, part) for part in PARTS}
        finally:
            servers.stop()
    for result in results.values():
        print(report(result))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
