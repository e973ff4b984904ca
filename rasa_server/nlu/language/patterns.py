"""Turns the phrases of lexicon.yml and context_rules.yml into spaCy token patterns.

The phrase notation (lexicon.yml's header) keeps the clinical data readable: a clinician writes
"can't <control> ~3 <bb_noun>", not a list of token dictionaries. Words are compared by spaCy's
NORM, so "can't", "cant" and "cannot" are one word and British spellings match American ones.
Typing slips: a token that is no real word but within a few slips of a lexicon word (one from 4
letters, two from 8; a slip is a letter typed wrong, left out or added, or two letters next to
each other swapped: RapidFuzz's optimal string alignment distance) reads as that word:
`Spelling.correct` writes that word into the token's NORM before the patterns are matched, so a
slip costs no extra pattern, and each token is read once, not once per pattern that tests it.
"""
import itertools
import re
from typing import Dict, Iterable, List, Sequence

from rapidfuzz.distance import OSA
from spacy.language import Language

Token = Dict[str, object]
Pattern = List[Token]

# Words this long or longer also match with one (FUZZY1) or two (FUZZY2) typing slips.
ONE_SLIP_LENGTH = 4
TWO_SLIPS_LENGTH = 8
TWO_SLIPS = 2
# A "~N" gap never crosses a written sentence end (WRITTEN_START) or a "but". (A cue inside
# a gap, "my feet aren't tingling", is read by layer.py: INNER_CUES.)
GAP_STOP = [".", "!", "?", ";", "but", "however", "although", "though"]
# Token extension: whether a token is a real English word (never read as a typo).
KNOWN_WORD = "is_known_word"
# Token extension: whether a token starts a sentence its writer ended with punctuation, a
# symbol or a new line: a "~N" gap never crosses one, but crosses where the parser alone ended
# a sentence ("cant feel wen | i wipe my bum"); layer.py sets it.
WRITTEN_START = "is_written_sentence_start"
# Token extension: what a number says as a body temperature ("fever", "no_fever" or None);
# the notation's "#fever" and "#no_fever" test it (layer.py sets it from lexicon.yml).
TEMPERATURE = "temperature_reading"
TEMPERATURE_KINDS = ("fever", "no_fever")


class Spelling:
    """The lexicon word a mistyped token stands for ("numbess" -> "numbness")."""

    def __init__(self, not_typos: Iterable[str]) -> None:
        self.words: set = set()  # what a slip may stand for
        self.kept: set = set(not_typos)  # never read as a slip: lexicon.yml's not_typos and
        # the words of phrases that do not allow slips (ConText cues, idioms: "spina bifida")
        self._cache: Dict[tuple, str] = {}

    def read(self, token) -> str:
        norm = token.norm_
        if norm in self.words or len(norm) < ONE_SLIP_LENGTH or not norm.isalpha():
            return norm
        key = (norm, token.lemma_)  # whether it is a known word depends on its lemma too
        if key not in self._cache:
            self._cache[key] = norm if norm in self.kept or token._.get(KNOWN_WORD) \
                else self._closest(norm)
        return self._cache[key]

    def correct(self, doc) -> None:
        """Each mistyped token's NORM becomes the lexicon word it stands for."""
        for token in doc:
            word = self.read(token)
            if word != token.norm_:
                token.norm_ = word

    def _closest(self, norm: str) -> str:
        """The lexicon word fewest slips away (of those as near, the first in alphabetical
        order), or the token's own norm when none is near enough."""
        best, fewest = norm, TWO_SLIPS + 1
        for word in sorted(self.words):
            if len(word) >= ONE_SLIP_LENGTH and abs(len(word) - len(norm)) <= TWO_SLIPS:
                edits = TWO_SLIPS if len(word) >= TWO_SLIPS_LENGTH else 1
                slips = OSA.distance(norm, word, score_cutoff=edits)
                if slips <= edits and slips < fewest:
                    best, fewest = word, slips
        return best
_GAP = re.compile(r"^~(\d+)$")
_LIST = re.compile(r"^<(\w+)>$")
# A notation item: a group of alternatives of several words, "(it is|they are)", optionally
# "?", or a run of other characters.
_ITEM = re.compile(r"\([^()]*\)\??|[^\s()]+|[()]")


class PhraseCompiler:
    """Compiles phrases with the word lists and typo exclusions of one lexicon."""

    def __init__(self, nlp: Language, word_lists: Dict[str, Sequence[str]],
                 spelling: Spelling, aliases: Dict[str, Sequence[str]] = None) -> None:
        self._tokenizer = nlp.tokenizer
        self._spelling = spelling
        self._aliases = {self._plain_norm(word): [self._plain_norm(f) for f in forms]
                         for word, forms in (aliases or {}).items()}
        self._lists = {name: self._norms(words) for name, words in word_lists.items()}

    def patterns(self, phrase: str, typos: bool = True) -> List[Pattern]:
        """Every spaCy token pattern the phrase stands for (alternatives expand to several);
        `typos`: whether long words also match with typing slips."""
        items = [self._item(part, typos) for part in _ITEM.findall(phrase)]
        return [[token for tokens in combination for token in tokens]
                for combination in itertools.product(*items)]

    def _item(self, part: str, typos: bool) -> List[List[Token]]:
        """The alternatives of one notation item, each a run of token patterns."""
        optional = part.endswith("?") and len(part) > 1
        if optional:
            part = part[:-1]
        if part in ("(", ")"):
            raise ValueError("lexicon: a bracket without its pair, or a group inside a group")
        if part.startswith("("):
            return self._group(part, optional, typos)
        gap = _GAP.match(part)
        if gap:
            return [[{"_": {WRITTEN_START: False}, "NORM": {"NOT_IN": GAP_STOP},
                      "OP": f"{{0,{gap.group(1)}}}"}]]
        if part == "#":
            return [[{"LIKE_NUM": True, **({"OP": "?"} if optional else {})}]]
        if part.startswith("#"):
            if part[1:] not in TEMPERATURE_KINDS:
                raise ValueError(f"lexicon: {part!r} is no number kind {TEMPERATURE_KINDS}")
            return [[{"_": {TEMPERATURE: {"IN": [part[1:]]}}, **({"OP": "?"} if optional else {})}]]
        if "|" in part and "<" in part:
            raise ValueError(f"lexicon: {part!r} mixes a <list> and words; write two phrases")
        listed = _LIST.match(part)
        if listed:
            if listed.group(1) not in self._lists:
                raise ValueError(f"lexicon: phrase uses <{listed.group(1)}>, which is not a list")
            alternatives = self._word_choices(self._lists[listed.group(1)], typos)
        else:
            alternatives = self._word_choices(self._norms(part.split("|")), typos)
        if optional:
            return [self._optional(alt) for alt in alternatives]
        return alternatives

    def _group(self, part: str, optional: bool, typos: bool) -> List[List[Token]]:
        """"(it is|they are)": each alternative a phrase of its own notation; "(...)?" may
        also be left out."""
        alternatives = [a.strip() for a in part[1:-1].split("|")]
        if len(alternatives) < 2 or not all(alternatives):
            raise ValueError(f"lexicon: {part!r} needs two or more alternatives, none empty")
        runs = [run for alternative in alternatives
                for run in self.patterns(alternative, typos)]
        return runs + [[]] if optional else runs

    @staticmethod
    def _optional(run: List[Token]) -> List[Token]:
        if len(run) == 1:
            return [{**run[0], "OP": "?"}]
        return run  # a multi-word optional is written as two phrases instead

    def _word_choices(self, norms: Sequence[str], typos: bool) -> List[List[Token]]:
        """Token runs for a set of words: single words in one token, and multi-token words
        ("can't" = "ca" "n't") as runs; with `typos`, slips of the single words read as them."""
        singles = sorted({n for n in norms if " " not in n})
        runs: List[List[Token]] = []
        if singles:
            # with typos, a typing slip of these words reads as them (Spelling.correct)
            (self._spelling.words if typos else self._spelling.kept).update(singles)
            runs.append([{"NORM": {"IN": singles}}])
        for multi in sorted({n for n in norms if " " in n}):
            runs.append([{"NORM": word} for word in multi.split()])
        return runs

    def list_words(self, names: Iterable[str]) -> List[str]:
        """The norms of the named word lists (a multi-word entry space-separated)."""
        return [n for name in names for n in self._lists[name]]

    def norms(self, words: Iterable[str]) -> List[str]:
        """The words as the patterns compare them (spaCy's norms)."""
        return self._norms(words)

    def _norms(self, words: Iterable[str]) -> List[str]:
        """Each word as spaCy's norms of its tokens, space-separated ("can't" -> "can not"),
        with the forms an alias stands for ("can't" also "couldn't")."""
        return list(dict.fromkeys(form for word in words
                                  for form in self._aliases.get(self._plain_norm(word),
                                                                [self._plain_norm(word)])))

    def _plain_norm(self, word: str) -> str:
        return " ".join(t.norm_ for t in self._tokenizer(str(word).lower()))
