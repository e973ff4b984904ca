"""Scores the running NLU model on the held-out set (tests/nlu_holdout/), never trained on."""
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import requests

from actions.clinic import ANSWERS

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "tests" / "nlu_holdout"
# Both answers decline to guess: out_of_scope says what the bot can do, fallback asks to rephrase.
REFUSALS = ("out_of_scope", "nlu_fallback")


def examples() -> List[Tuple[str, str]]:
    """(text, expected label) where the label is `faq/<id>` for FAQs, else the intent."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(HOLDOUT))
    return [(m.get("text"), m.get("intent_response_key") or m.get("intent"))
            for m in data.intent_examples]


def predicted_label(parse: Dict) -> str:
    intent = parse["intent"]["name"]
    if intent == "faq":
        return parse["response_selector"]["faq"]["response"]["intent_response_key"]
    return intent


def evaluate(url: str, token: str) -> Dict:
    """Per-label accuracy, FAQ top-1 accuracy, accuracy on the questions about the clinic and
    out-of-scope recall."""
    hits: Dict[str, List[bool]] = defaultdict(list)
    misses = []
    for text, expected in examples():
        parse = requests.post(f"{url}/model/parse", params={"token": token},
                              json={"text": text}, timeout=30).json()
        got = predicted_label(parse)
        ok = got in REFUSALS if expected == "out_of_scope" else got == expected
        hits[expected].append(ok)
        if not ok:
            misses.append((text, expected, got))
    faq = [ok for label, oks in hits.items() if label.startswith("faq/") for ok in oks]
    clinic = [ok for label in ANSWERS for ok in hits[label]]
    return {
        "per_label": {label: sum(oks) / len(oks) for label, oks in sorted(hits.items())},
        "counts": {label: len(oks) for label, oks in sorted(hits.items())},
        "faq_accuracy": sum(faq) / len(faq),
        "clinic_accuracy": sum(clinic) / len(clinic),
        "out_of_scope_recall": sum(hits["out_of_scope"]) / len(hits["out_of_scope"]),
        "misses": misses,
    }
