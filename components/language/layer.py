"""The clinical language layer: a parsed message in, the decision table's facts out.

medspaCy's TargetMatcher finds the table's facts (lexicon.yml), its ConText algorithm reads
what the words around each one say about it (context_rules.yml), and a spaCy Matcher finds the
yes/no/not-sure words and requests to explain a question. No Rasa imports: the NLU component
(components/clinical_language.py) calls `ClinicalLanguage.read` on SpacyNLP's doc.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

import yaml
from medspacy.context import ConText, ConTextRule
from medspacy.target_matcher import TargetMatcher, TargetRule
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from components.language import medspacy_fixes
from components.language.patterns import KNOWN_WORD, PhraseCompiler

HERE = Path(__file__).parent
LEXICON = HERE / "lexicon.yml"
CONTEXT_RULES = HERE / "context_rules.yml"
SPAN_GROUP = "clinical_facts"

# Assertions (an entity's role in the parse data)
AFFIRMED = "affirmed"
UNCERTAIN = "uncertain"
NEGATED = "negated"
HISTORICAL = "historical"
HYPOTHETICAL = "hypothetical"
ASKED = "asked"
ASSERTIONS = (AFFIRMED, UNCERTAIN, NEGATED, HISTORICAL, HYPOTHETICAL, ASKED)
# Whose it is (an entity's group)
PATIENT = "patient"
SOMEONE_ELSE = "someone_else"
SOMEONE_ELSE_NOW = "someone_else_now"
EXPERIENCERS = (PATIENT, SOMEONE_ELSE, SOMEONE_ELSE_NOW)
# Answer words
ANSWER_KINDS = ("yes", "no", "unsure", "explain")
IDIOM = "IDIOM"
# A target's label is its slot plus which of the fact's lists matched.
NORMAL, ANSWER = "normal", "answer"
KINDS = {"phrases": "", "normal": ":" + NORMAL, "answers": ":" + ANSWER}
_PRIORITY = {"explain": 0, "unsure": 1, "yes": 2, "no": 2}
CLAUSE_BREAKS = frozenset({",", ".", ";", "!", "?", "-", "but", "and", "although", "though",
                           "however", "because", "so"})
FUTURE_MODAL = "is_future_modal"
_MODALS = frozenset({"might", "could", "may", "will", "would", "shall", "'ll", "ll"})
_NOT_FUTURE = frozenset({"be", "have", "feel", "seem", "look"})


@dataclass(frozen=True)
class Fact:
    """One mention of a table fact: the slot, what is said of it, whose it is, where it is."""

    slot: str
    assertion: str
    experiencer: str
    start_char: int
    end_char: int

    @property
    def counts(self) -> bool:
        """Whether it answers its question with yes for the patient (not sure counts as yes)."""
        return self.experiencer == PATIENT and self.assertion in (AFFIRMED, UNCERTAIN)


@dataclass(frozen=True)
class AnswerWord:
    kind: str  # yes | no | unsure | explain
    question: Optional[str]  # the only question it answers, or None for any
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Reading:
    facts: Tuple[Fact, ...]
    answers: Tuple[AnswerWord, ...]


def _register_token_extensions(nlp: Language) -> None:
    """Token attributes the patterns test: a real word (WordNet's, in spaCy's lemmatizer
    tables, or a stop word) is never read as a typo; "will go", "might lose" speak of what has
    not happened (but "might be", "might have" are uncertainty)."""
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    words = frozenset(w for forms in index.values() for w in forms)

    def known(token) -> bool:
        return token.is_stop or token.lower_ in words or token.lemma_.lower() in words

    def future_modal(token) -> bool:
        if token.norm_ not in _MODALS or token.i + 1 >= len(token.doc):
            return False
        following = token.doc[token.i + 1]
        return following.tag_ == "VB" and following.lemma_ not in _NOT_FUTURE

    Token.set_extension(KNOWN_WORD, getter=known, force=True)
    Token.set_extension(FUTURE_MODAL, getter=future_modal, force=True)


def _kind(span: Span) -> str:
    """Which list of a fact's entry matched: its phrases, its normal phrases, its answers."""
    return span.label_.partition(":")[2]


def _slot(span: Span) -> str:
    return span.label_.partition(":")[0]


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class ClinicalLanguage:
    """Built once per loaded model from the two data files; `read` is called per message."""

    def __init__(self, nlp: Language, lexicon: Optional[dict] = None,
                 context_rules: Optional[dict] = None) -> None:
        medspacy_fixes.install()
        lexicon = lexicon if lexicon is not None else _load(LEXICON)
        context_rules = context_rules if context_rules is not None else _load(CONTEXT_RULES)
        terms = {"term": lexicon.get("terms", [])}
        self._nlp = nlp
        _register_token_extensions(nlp)
        self._compiler = PhraseCompiler(
            nlp, {**lexicon["words"], **context_rules.get("words", {}), **terms},
            lexicon.get("not_typos", []), lexicon.get("aliases", {}))
        self._idioms = lexicon.get("idioms", [])
        self._facts: Dict[str, dict] = lexicon["facts"]
        self._targets = TargetMatcher(nlp, result_type="group", span_group_name=SPAN_GROUP,
                                      prune=False)
        self._targets.add(list(self._target_rules()))
        # prune_on_target_overlap: the "n't" of a "can't feel" fact does not deny it.
        self._context = ConText(nlp, rules=None, input_span_type="group",
                                span_group_name=SPAN_GROUP, prune_on_target_overlap=True,
                                span_attrs=None)
        self._context.add(list(self._context_rules(context_rules["rules"])))
        self._answers = Matcher(nlp.vocab)
        self._answer_labels: Dict[str, Tuple[str, Optional[str]]] = {}
        self._add_answers(lexicon["answers"])

    # -- building --------------------------------------------------------------------------

    def _target_rules(self) -> Iterable[TargetRule]:
        for phrase in self._idioms:
            for pattern in self._compiler.patterns(phrase):
                yield TargetRule(phrase, IDIOM, pattern=pattern)
        for slot, spec in self._facts.items():
            for kind, suffix in KINDS.items():
                for phrase in spec.get(kind, []):
                    for pattern in self._compiler.patterns(phrase):
                        yield TargetRule(phrase, slot + suffix, pattern=pattern)

    def _context_rules(self, rules: Sequence[dict]) -> Iterable[ConTextRule]:
        for rule in rules:
            options = {key: rule[key] for key in ("direction", "max_scope") if key in rule}
            if "terminated_by" in rule:
                options["terminated_by"] = set(rule["terminated_by"])
            if "allowed_types" in rule:
                options["allowed_types"] = {slot + suffix for slot in rule["allowed_types"]
                                            for suffix in KINDS.values()}
            if "pattern" in rule:
                yield ConTextRule(rule["category"], rule["category"], pattern=rule["pattern"],
                                  **options)
            for phrase in rule.get("phrases", []):
                for pattern in self._compiler.patterns(phrase):
                    yield ConTextRule(phrase, rule["category"], pattern=pattern, **options)

    def _add_answers(self, answers: dict) -> None:
        by_question = answers.get("by_question", {})
        groups = [(kind, None, answers[kind]) for kind in ANSWER_KINDS]
        groups += [(kind, question, words.get(kind, []))
                   for question, words in by_question.items() for kind in ANSWER_KINDS]
        for kind, question, phrases in groups:
            label = f"{kind}:{question or ''}"
            self._answer_labels[label] = (kind, question)
            patterns = [p for phrase in phrases for p in self._compiler.patterns(phrase)]
            if patterns:
                self._answers.add(label, patterns)

    # -- reading ---------------------------------------------------------------------------

    def read(self, doc: Doc) -> Reading:
        """The facts and answer words of a parsed doc (sentences needed: run the parser).

        A message typed in capitals is read in lower case: spaCy splits and tags "CAN'T" and
        "PEE" as unknown words."""
        if len(doc) == 0:
            return Reading((), ())
        letters = [c for c in doc.text if c.isalpha()]
        if len(letters) > 3 and sum(c.isupper() for c in letters) > 0.7 * len(letters):
            doc = self._nlp(doc.text.lower())
        if not doc.has_annotation("DEP"):
            # Rasa's SpacyNLP loads the pipeline without its parser; ConText needs sentences.
            self._nlp.get_pipe("parser")(doc)
        doc = self._targets(doc)
        doc.spans[SPAN_GROUP] = self._pruned(doc.spans[SPAN_GROUP])
        doc = self._context(doc)
        spans = doc.spans[SPAN_GROUP]
        facts = list(dict.fromkeys(
            fact for span in spans if _kind(span) != ANSWER for fact in self._facts_of(span)))
        replies = [word for span in spans if _kind(span) == ANSWER
                   for word in self._reply_to_question(span)]
        return Reading(tuple(facts), tuple(self._answer_words(doc) + replies))

    @staticmethod
    def _pruned(spans: Iterable[Span]) -> List[Span]:
        """Longest match per fact and kind: "numb in both legs" is one mention, not three; two
        facts may share words ("my legs are weak and numb"). An idiom ("dead on my feet")
        removes the facts it overlaps, and a normal phrase ("number twos are normal") the
        mentions of its own fact that it contains."""
        groups: Dict[str, List[Span]] = {}
        for span in spans:
            groups.setdefault(span.label_, []).append(span)
        kept = {label: filter_spans(group) for label, group in groups.items()}
        idioms = kept.pop(IDIOM, [])

        def overlaps(span: Span, label: str) -> bool:
            return any(span.start < o.end and o.start < span.end for o in kept.get(label, []))

        result = [s for label, group in kept.items() for s in group
                  if not any(s.start < o.end and o.start < s.end for o in idioms)
                  and (_kind(s) == NORMAL or not overlaps(s, _slot(s) + KINDS["normal"]))
                  and (_kind(s) != ANSWER or not overlaps(s, _slot(s)))]
        return sorted(result, key=lambda s: (s.start, s.end))

    def _facts_of(self, span: Span) -> List[Fact]:
        categories: FrozenSet[str] = frozenset(m.category for m in span._.modifiers)
        spec = self._facts[_slot(span)]
        assertion = self._assertion(categories, spec)
        if _kind(span) == NORMAL:
            # "my bladder is fine": a denial, unless something else is said of it
            if assertion != AFFIRMED:
                return []
            assertion = NEGATED
        experiencer = PATIENT
        if "OTHER" in categories:
            now = assertion in (AFFIRMED, UNCERTAIN) and "CHRONIC" not in categories and (
                "PAST" not in categories or "ACUTE" in categories)
            experiencer = SOMEONE_ELSE_NOW if now else SOMEONE_ELSE
        return [Fact(_slot(span), assertion, experiencer, span.start_char, span.end_char)]

    @staticmethod
    def _assertion(categories: FrozenSet[str], spec: dict) -> str:
        if "ASKED" in categories:
            return ASKED
        if "HYPOTHETICAL" in categories:
            return HYPOTHETICAL
        if "NEGATED" in categories:
            return NEGATED
        if "HISTORICAL" in categories:
            return AFFIRMED if spec.get("past_counts") else HISTORICAL
        if "CHRONIC" in categories and spec.get("new_only"):
            return HISTORICAL
        if "UNCERTAIN" in categories:
            return UNCERTAIN
        return AFFIRMED

    def _reply_to_question(self, span: Span) -> List[AnswerWord]:
        """An answer-only phrase ("it gave way") as a word that answers its own question, by
        what ConText says of it ("not weak" is a no)."""
        categories = frozenset(m.category for m in span._.modifiers)
        if "OTHER" in categories:
            return []
        assertion = self._assertion(categories, self._facts[_slot(span)])
        kind = {AFFIRMED: "yes", UNCERTAIN: "unsure", NEGATED: "no", HISTORICAL: "no"}.get(
            assertion)
        return [AnswerWord(kind, _slot(span), span.start_char, span.end_char)] if kind else []

    def _answer_words(self, doc: Doc) -> List[AnswerWord]:
        """Answer words, a request to explain or "not sure" winning over a yes or no they
        overlap ("I'm not certain", "I don't understand"). The general yes/no/not-sure words
        count only in the first clause that has one: later ones tell a detail ("no, but I've
        got a fever")."""
        matches = sorted(self._answers(doc), key=lambda m: (
            _PRIORITY[self._answer_labels[self._nlp.vocab.strings[m[0]]][0]], m[1] - m[2], m[1]))
        taken: List[Tuple[int, int, str]] = []
        for match_id, start, end in matches:
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, self._nlp.vocab.strings[match_id]))
        words, first_clause = [], None
        for start, end, label in sorted(taken):
            kind, question = self._answer_labels[label]
            if kind != "explain" and question is None:
                clause = sum(1 for t in doc[:start] if t.norm_ in CLAUSE_BREAKS)
                first_clause = clause if first_clause is None else first_clause
                if clause != first_clause:
                    continue
            words.append(AnswerWord(kind, question, doc[start].idx,
                                    doc[end - 1].idx + len(doc[end - 1])))
        return words
