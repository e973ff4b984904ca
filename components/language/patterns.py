"""Turns the phrases of lexicon.yml and context_rules.yml into spaCy token patterns.

The phrase notation (lexicon.yml's header) keeps the clinical data readable: a clinician writes
"can't <control> ~3 <bb_noun>", not a list of token dictionaries. Words are compared by spaCy's
NORM, so "can't", "cant" and "cannot" are one word and British spellings match American ones.
Typing slips are matched with spaCy's FUZZY operators, by word length, never for a real word the
lexicon lists in `not_typos`.
"""
import itertools
import re
from typing import Dict, Iterable, List, Sequence

from spacy.language import Language

Token = Dict[str, object]
Pattern = List[Token]

# Words this long or longer also match with one (FUZZY1) or two (FUZZY2) typing slips.
ONE_SLIP_LENGTH = 4
TWO_SLIPS_LENGTH = 8
# A "~N" gap never crosses a sentence end or a "but". (A cue inside a gap, "my feet aren't
# tingling", is read by layer.py: INNER_CUES.)
GAP_STOP = [".", "!", "?", ";", "but", "however", "although", "though"]
# Token extension the typo patterns test: a real English word is never read as a typo.
KNOWN_WORD = "is_known_word"
_GAP = re.compile(r"^~(\d+)$")
_LIST = re.compile(r"^<(\w+)>$")


class PhraseCompiler:
    """Compiles phrases with the word lists and typo exclusions of one lexicon."""

    def __init__(self, nlp: Language, word_lists: Dict[str, Sequence[str]],
                 not_typos: Iterable[str] = (), aliases: Dict[str, Sequence[str]] = None) -> None:
        self._tokenizer = nlp.tokenizer
        self._aliases = {self._plain_norm(word): [self._plain_norm(f) for f in forms]
                         for word, forms in (aliases or {}).items()}
        self._lists = {name: self._norms(words) for name, words in word_lists.items()}
        # a real word is never a typo of another: the lexicon's own words and `not_typos`
        known = list(not_typos) + [w for words in word_lists.values() for w in words]
        self._not_typos = sorted({n for n in self._norms(known) if " " not in n})

    def patterns(self, phrase: str, typos: bool = True) -> List[Pattern]:
        """Every spaCy token pattern the phrase stands for (alternatives expand to several);
        `typos`: whether long words also match with typing slips."""
        items = [self._item(part, typos) for part in phrase.split()]
        return [[token for tokens in combination for token in tokens]
                for combination in itertools.product(*items)]

    def _item(self, part: str, typos: bool) -> List[List[Token]]:
        """The alternatives of one notation item, each a run of token patterns."""
        optional = part.endswith("?") and len(part) > 1
        if optional:
            part = part[:-1]
        gap = _GAP.match(part)
        if gap:
            return [[{"IS_SENT_START": False, "NORM": {"NOT_IN": GAP_STOP},
                      "OP": f"{{0,{gap.group(1)}}}"}]]
        if part == "#":
            return [[{"LIKE_NUM": True, **({"OP": "?"} if optional else {})}]]
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

    @staticmethod
    def _optional(run: List[Token]) -> List[Token]:
        if len(run) == 1:
            return [{**run[0], "OP": "?"}]
        return run  # a multi-word optional is written as two phrases instead

    def _word_choices(self, norms: Sequence[str], typos: bool) -> List[List[Token]]:
        """Token runs for a set of words: exact single words in one token, long single words
        also with typing slips, and multi-token words ("can't" = "ca" "n't") as runs."""
        singles = sorted({n for n in norms if " " not in n})
        runs: List[List[Token]] = []
        if singles:
            runs.append([{"NORM": {"IN": singles}}])
            for op, length in () if not typos else (("FUZZY1", ONE_SLIP_LENGTH), ("FUZZY2", TWO_SLIPS_LENGTH)):
                long_words = [n for n in singles if len(n) >= length and n.isalpha()]
                if long_words:
                    runs.append([{"NORM": {op: {"IN": long_words}, "NOT_IN": self._not_typos},
                                  "_": {KNOWN_WORD: False}}])
        for multi in sorted({n for n in norms if " " in n}):
            runs.append([{"NORM": word} for word in multi.split()])
        return runs

    def list_words(self, names: Iterable[str]) -> List[str]:
        """The (single-word) norms of the named word lists."""
        return [n for name in names for n in self._lists[name] if " " not in n]

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
