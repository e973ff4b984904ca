"""The lexicon and the ConText rules say each thing once, so that a clinician who changes or
removes a phrase changes the only copy of it."""
from collections import Counter
from pathlib import Path
from typing import Iterator, List, Tuple

import yaml

LANGUAGE = Path(__file__).resolve().parents[4] / "rasa_server" / "nlu" / "language"


def word_lists(node, where: str = "") -> Iterator[Tuple[str, List[str]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from word_lists(value, f"{where}/{key}")
    elif isinstance(node, list) and all(isinstance(item, str) for item in node):
        yield where, node
    elif isinstance(node, list):
        for number, item in enumerate(node):
            yield from word_lists(item, f"{where}[{number}]")


def repeated(words: List[str]) -> List[str]:
    return [word for word, times in Counter(w.lower() for w in words).items() if times > 1]


def test_no_list_of_words_or_phrases_names_one_twice():
    for name in ("lexicon.yml", "context_rules.yml"):
        data = yaml.safe_load((LANGUAGE / name).read_text(encoding="utf-8"))
        twice = {where: repeated(words) for where, words in word_lists(data) if repeated(words)}
        assert not twice, f"{name}: {twice}"


def test_a_context_rule_phrase_has_one_rule_per_category_and_direction():
    rules = yaml.safe_load((LANGUAGE / "context_rules.yml").read_text(encoding="utf-8"))["rules"]
    keys = [(phrase.lower(), rule["category"], rule["direction"])
            for rule in rules for phrase in rule.get("phrases", [])]
    assert not repeated(["|".join(key) for key in keys])


def test_a_lasting_sign_is_not_also_an_ordinary_mention():
    """A phrase under `lasting` is read as still true however long ago it began; the same
    phrase under `phrases` would also make it past, and the two readings disagree."""
    facts = yaml.safe_load((LANGUAGE / "lexicon.yml").read_text(encoding="utf-8"))["facts"]
    both = {slot: sorted(set(spec["lasting"]) & set(spec.get("phrases", [])))
            for slot, spec in facts.items() if "lasting" in spec}
    assert not any(both.values()), both
