"""The phrase notation of lexicon.yml (patterns.py), on spaCy's own matcher."""
import pytest
import spacy
from spacy.matcher import Matcher

from rasa_server.nlu.language.patterns import PhraseCompiler, Spelling


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def matches(nlp, phrase, text, lists=None):
    compiler = PhraseCompiler(nlp, lists or {}, Spelling([]))
    matcher = Matcher(nlp.vocab)
    matcher.add("phrase", compiler.patterns(phrase, typos=False))
    return bool(matcher(nlp(text)))


def test_a_group_holds_alternatives_of_several_words(nlp):
    """The trap a group ends: "it is|they are back" is "it", "is|they", "are", "back"."""
    phrase = "(it is|they are) back"
    assert matches(nlp, phrase, "it is back")
    assert matches(nlp, phrase, "they are back")
    assert not matches(nlp, phrase, "it are back")
    assert not matches(nlp, phrase, "is back")


def test_a_group_takes_the_notation_and_may_be_left_out(nlp):
    phrase = "(it's|the <sign>?) come back"
    lists = {"sign": ["numbness", "tingling"]}
    assert matches(nlp, phrase, "the numbness come back", lists)
    assert matches(nlp, phrase, "it's come back", lists)
    assert not matches(nlp, phrase, "the pain come back", lists)
    assert matches(nlp, "stiff (back|neck and shoulders)?", "stiff", lists)


@pytest.mark.parametrize("phrase", ["(it is) back", "(it is|) back", "(a (b|c)|d) e",
                                    "it is|they are) back"])
def test_a_group_that_cannot_be_meant_is_refused(nlp, phrase):
    with pytest.raises(ValueError):
        PhraseCompiler(nlp, {}, Spelling([])).patterns(phrase)
