"""The labelled corpus's parts and labels (common/corpus.py)."""
from pathlib import Path

import yaml

from common import corpus

CORPUS = Path(__file__).resolve().parents[1] / "language"


def test_every_corpus_file_says_which_part_it_is():
    parts = {path.name: yaml.safe_load(path.read_text(encoding="utf-8")).get("part")
             for path in CORPUS.glob("*.yml")}
    assert parts and set(parts.values()) <= set(corpus.PARTS), parts
    assert {name for part in corpus.PARTS for name in
            (p.name for p in corpus.files(CORPUS, part))} == set(parts)


def test_a_part_is_read_from_its_own_files_only(tmp_path):
    (tmp_path / "a.yml").write_text("part: development\nstatements:\n- text: one\n"
                                    "  category: typo\n  expect: emergency\n")
    (tmp_path / "b.yml").write_text("part: held-out\nstatements:\n- text: two\n"
                                    "  category: typo\n  expect: emergency\n")
    assert [s["text"] for s in corpus.load(tmp_path, corpus.DEVELOPMENT)["statements"]] == [
        "one"]
    assert corpus.load(tmp_path, corpus.HELD_OUT)["answers"] == []


def test_a_reply_states_an_emergency_when_its_yes_makes_an_emergency_row():
    assert corpus.states_emergency({"expect": True}, "bladder_bowel_change")
    assert corpus.states_emergency({"expect": "unsure"}, "saddle_numbness")
    assert not corpus.states_emergency({"expect": True}, "leg_numbness")
    assert corpus.states_emergency({"expect": True, "also": {"both_legs": True}},
                                   "leg_numbness")
    assert corpus.states_emergency({"expect": False, "also": {"leg_weakness": "yes"}},
                                   "recent_injury")
    assert not corpus.states_emergency({"expect": 3}, "pain_duration_weeks")
    assert corpus.states_emergency({"expect": "emergency"})
    assert not corpus.states_emergency({"expect": "sign_question"})
