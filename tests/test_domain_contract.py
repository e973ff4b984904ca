"""domain.yml agrees with the code that defines the facts it lists: the form asks the decision
table's questions in its order (common/triage.py), every table slot has the type the table
reads, and each fact entity carries exactly the assertions and experiencers the language layer
writes (common/parse_data.py); the questions about the clinic never fill a screening slot."""
import yaml

from actions.clinic import ANSWERS
from common import parse_data, triage
from scripts.stack import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())


def test_the_form_asks_the_tables_questions_in_its_order():
    assert DOMAIN["forms"]["screening_form"]["required_slots"] == list(triage.SLOTS)


def test_every_table_slot_has_the_type_the_table_reads():
    slots = DOMAIN["slots"]
    assert {s: slots[s]["type"] for s in triage.BOOLEAN_SLOTS} == dict.fromkeys(
        triage.BOOLEAN_SLOTS, "bool")
    assert {s: slots[s]["type"] for s in triage.NUMERIC_SLOTS} == dict.fromkeys(
        triage.NUMERIC_SLOTS, "float")


def test_fact_entities_carry_the_layers_assertions_and_experiencers():
    entities = {name: spec for entry in DOMAIN["entities"] for name, spec in (
        entry.items() if isinstance(entry, dict) else [(entry, {})])}
    for slot in triage.BOOLEAN_SLOTS:
        assert set(entities[slot]["roles"]) == set(parse_data.ASSERTIONS), slot
        assert set(entities[slot]["groups"]) == set(parse_data.EXPERIENCERS), slot


def test_questions_about_the_clinic_never_fill_a_screening_slot():
    for slot in triage.SLOTS:
        from_text = next(m for m in DOMAIN["slots"][slot]["mappings"] if m["type"] == "from_text")
        assert set(ANSWERS) <= set(from_text["not_intent"]), slot
