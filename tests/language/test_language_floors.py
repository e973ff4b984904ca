"""Floors on the labelled corpus (tests/language/), through the real Rasa server's NLU and the
product's own reading of it (bench/language.py). For the held-out part only figures are shown."""
from collections import Counter

import pytest

from bench.language import Parser, evaluate, load
from common import triage
from tests.e2e.servers import API_TOKEN

# Floors on the held-out part. The targets are recall 0.98, false alarms 0.05 and 0.95 on every
# question; the layer with its recall net does not reach them all yet (README, "Clinical
# language layer": measured 0.968, 0.043 and 0.914 at worst on 2026-12-08, thirteen held-out
# batches), so these floors sit under what it reaches, with room for the classifiers'
# run-to-run wobble, to keep what was gained. Raise them as the layer improves; never tune on
# the held-out part to do so.
HELD_OUT_RECALL = 0.95
HELD_OUT_FALSE_ALARMS = 0.06
HELD_OUT_ANSWER_ACCURACY = 0.90


@pytest.fixture(scope="module")
def parse(stack):
    return Parser(stack.url, API_TOKEN)


@pytest.fixture(scope="module")
def held_out(parse):
    return evaluate(parse, "held-out")


def test_every_example_of_the_spec_is_read_right(parse):
    result = evaluate(parse, "spec")
    assert result["misses"] == 0, result["missed"]
    assert result["emergency_recall"] == 1.0


def test_held_out_emergency_recall(held_out):
    assert held_out["emergency_recall"] >= HELD_OUT_RECALL, held_out["per_category"]


def test_held_out_false_alarms(held_out):
    assert held_out["false_alarm_rate"] <= HELD_OUT_FALSE_ALARMS, held_out["per_category"]


def test_held_out_answers_per_question(held_out):
    low = {q: r["accuracy"] for q, r in held_out["per_question"].items()
           if r["accuracy"] < HELD_OUT_ANSWER_ACCURACY}
    assert not low, low


def test_the_corpus_is_large_enough_and_split():
    parts = {part: load(part) for part in ("held-out", "development")}
    sizes = {part: len(c["statements"]) + len(c["answers"]) for part, c in parts.items()}
    assert sum(sizes.values()) >= 800
    assert sizes["held-out"] >= sum(sizes.values()) / 3
    per_question = Counter(a["question"] for c in parts.values() for a in c["answers"])
    assert set(per_question) == set(triage.SLOTS) and min(per_question.values()) >= 20
