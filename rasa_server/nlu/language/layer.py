"""The clinical language layer: a parsed message in, the decision table's facts out.

medspaCy's TargetMatcher finds the table's facts (lexicon.yml), its ConText algorithm reads
what the words around each one say about it (context_rules.yml), and a spaCy Matcher finds the
yes/no/not-sure words and requests to explain a question. No Rasa imports: the NLU component
(rasa_server/nlu/clinical_language.py) calls `ClinicalLanguage.read` on SpacyNLP's doc.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

import yaml
from medspacy.context import ConText, ConTextRule
from medspacy.target_matcher import TargetMatcher, TargetRule
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from common import triage
from common.parse_data import (
    AFFIRMED,
    ANSWER_KINDS,
    ASKED,
    HISTORICAL,
    HYPOTHETICAL,
    NEGATED,
    PATIENT,
    POSSIBLE,
    SOMEONE_ELSE,
    SOMEONE_ELSE_NOW,
    STATED,
    UNCERTAIN,
)
from rasa_server.nlu.language import medspacy_fixes
from rasa_server.nlu.language.numbers import temperature_celsius
from rasa_server.nlu.language.patterns import (
    KNOWN_WORD,
    TEMPERATURE,
    WRITTEN_START,
    PhraseCompiler,
    Spelling,
)

HERE = Path(__file__).parent
LEXICON = HERE / "lexicon.yml"
CONTEXT_RULES = HERE / "context_rules.yml"
SPAN_GROUP = "clinical_facts"
ANSWER_GROUP = "clinical_answers"

IDIOM = "IDIOM"
CLAIMS, DISCLAIMS, RETURNS, DATED = "claims", "disclaims", "returns", "dated"
RESOLVED, CLAUSE_END = "RESOLVED", "CLAUSE_END"
# Cue words inside a mention's gaps, and what they make it.
INNER_CUES = {"not": "NEGATED", "no": "NEGATED", "never": "NEGATED", "nothing": "NEGATED",
              "none": "NEGATED", "without": "NEGATED", "if": "HYPOTHETICAL",
              "unless": "HYPOTHETICAL", "worry": "HYPOTHETICAL", "worried": "HYPOTHETICAL",
              "scared": "HYPOTHETICAL", "afraid": "HYPOTHETICAL", "frightened": "HYPOTHETICAL",
              "terrified": "HYPOTHETICAL"}
# "can't tell if ...", "don't know whether ...": uncertainty, not a condition
DENIALS = frozenset({"not", "never", "without", "no"})
UNCERTAIN_VERBS = frozenset({"tell", "know", "sure", "wonder", "notice", "check", "see", "feel"})
# A target's label is its slot plus which of the fact's lists matched.
NORMAL, ANSWER, LASTING, DIAGNOSIS = "normal", "answer", "lasting", "diagnosis"
KINDS = {"phrases": "", "lasting": ":" + LASTING, "normal": ":" + NORMAL, "answers": ":" + ANSWER,
         "diagnoses": ":" + DIAGNOSIS, "possible": ":" + POSSIBLE}
FIRST_PERSON = frozenset({"i", "my", "me", "myself", "mine", "we", "our", "us", "im", "ive",
                          "am"})
QUESTION_STARTS = frozenset({"what", "how", "why", "when", "which", "who", "where", "is", "are",
                             "does", "do", "can",
                             "could", "should", "would", "will", "did", "whats", "hows"})
_PRIORITY = {"explain": 0, "unsure": 1, "yes": 2, "no": 2, "weak_yes": 3}
WEAK_YES = "weak_yes"
CLAUSE_BREAKS = frozenset({",", ".", ";", "!", "?", "-", "but", "and", "although", "though",
                           "however", "because", "so"})
OR_WORDS = frozenset({"or", "nor"})
WH_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})
TOLD_VERBS = frozenset({"tell", "show", "give", "warn", "teach", "send", "explain", "ask"})
DENIED_BEFORE = frozenset({"no", "without"})
# Verbs that report what someone said or wrote: a sign in what they report, owned by no one,
# is spoken of as a sign ("a doctor on telly said foot drop is serious").
REPORT_VERBS = frozenset({"say", "tell", "warn", "read", "hear", "mention", "explain", "write",
                          "claim", "advise", "reckon"})
# ... and those whose object is what is said ("everything I read says numb saddle area")
SAY_VERBS = frozenset({"say", "list", "mention"})
# What makes a report name someone ("the numbness"), and pronouns that name no one.
OWNERS = frozenset({"the", "this", "that", "these", "those"})
GENERIC_PRONOUNS = frozenset({"you", "your", "yourself", "it", "its", "one"})
OWNER_PRONOUNS = frozenset({"he", "she", "him", "her", "they", "them"})
FUTURE_MODAL = "is_future_modal"
_MODALS = frozenset({"might", "could", "may", "will", "would", "shall", "'ll", "ll"})
_NOT_FUTURE = frozenset({"be", "have", "feel", "seem", "look"})
FINITE = ("VBZ", "VBP", "VBD", "MD")


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
        return self.experiencer == PATIENT and self.stated

    @property
    def stated(self) -> bool:
        """Said as so, or possibly so (which counts as yes), whoever it is about."""
        return self.assertion in STATED


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
    # Whether every clause with words of its own is about a fact or an idiom the layer found:
    # then what the layer read explains the whole message.
    explains_all: bool = False
    # Whether a sentence of it is a question ("can a strained muscle be checked with ...?")
    asks: bool = False


def _register_token_extensions(nlp: Language, fever_celsius: float) -> None:
    """Token attributes the typo reading and the patterns test: a real word (WordNet's, in
    spaCy's lemmatizer tables, or a stop word) is never read as a typo; "will go", "might lose"
    speak of what has not happened (but "might be", "might have" are uncertainty); a number
    is a fever at `fever_celsius` or above ("38.7", "101.5F"); where a writer ended a
    sentence (patterns.WRITTEN_START)."""
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    words = frozenset(w for forms in index.values() for w in forms)

    def known(token) -> bool:
        return token.is_stop or token.lower_ in words or token.lemma_.lower() in words

    def future_modal(token) -> bool:
        """A modal before a verb, adverbs in between ("will just give out")."""
        if token.norm_ not in _MODALS or (token.i > 0 and token.doc[token.i - 1].norm_ in (
                "nothing", "it", "that")):  # "nothing will come out": cannot, not will
            return False
        following = next((t for t in token.doc[token.i + 1:token.i + 4] if t.pos_ != "ADV"),
                         None)
        return following is not None and following.tag_ == "VB" and \
            following.lemma_ not in _NOT_FUTURE

    def temperature(token) -> Optional[str]:
        if not token.text[:1].isdigit():
            return None
        celsius = temperature_celsius(token.text, token.doc[token.i + 1:token.i + 3].text)
        if celsius is None:
            return None
        return "fever" if celsius >= fever_celsius else "no_fever"

    def written_start(token) -> bool:
        """A sentence start with punctuation, a symbol or a new line before it."""
        before = token.doc[token.i - 1] if token.i > 0 else None
        return token.is_sent_start and (before is None or not before.text[-1].isalnum()
                                        or "\n" in before.whitespace_)

    Token.set_extension(KNOWN_WORD, getter=known, force=True)
    Token.set_extension(WRITTEN_START, getter=written_start, force=True)
    Token.set_extension(FUTURE_MODAL, getter=future_modal, force=True)
    Token.set_extension(TEMPERATURE, getter=temperature, force=True)


def _is_question(sentence: Span) -> bool:
    """Ends with "?", or starts like a question ("is", "what"; not "can't", "don't")."""
    if sentence.text.rstrip().endswith("?"):
        return True
    words = [t for t in sentence if not t.is_punct]
    return bool(words) and words[0].norm_ in QUESTION_STARTS and not (
        len(words) > 1 and words[1].lower_ in ("n't", "nt"))


def _distance(span: Span, modifier) -> int:
    start, end = modifier.modifier_span
    return max(start - span.end, span.start - end, 0)


def _kind(span: Span) -> str:
    """Which list of a fact's entry matched: its phrases, its normal phrases, its answers."""
    return span.label_.partition(":")[2]


def _denied_just_before(span: Span, words: int = 4) -> bool:
    """A denial among the few words before a phrase, in its sentence."""
    start = max(span.sent.start, span.start - words)
    return any(t.norm_ in DENIALS or t.lower_ == "n't" for t in span.doc[start:span.start])


def _first_person(token: Token) -> bool:
    """I, my, me, ...; but not the one told or asked ("a paramedic told me ...", "why are you
    asking me about cancer?")."""
    return token.norm_ in FIRST_PERSON and not (
        token.i > 0 and token.doc[token.i - 1].lemma_ in TOLD_VERBS)


def _said_of_self(span: Span, words: int = 3) -> bool:
    """A first-person word in the mention or just before it, in its sentence."""
    start = max(span.sent.start, span.start - words)
    return any(_first_person(t) for t in span.doc[start:span.end])


def _unsure_of(doc: Doc, end: int) -> Optional[str]:
    """What a hedge ending at `end` is unsure of, when not of the answer: a number ("it's
    manageable, maybe a three") or what a question word asks ("not sure why it hurts")."""
    following = [t for t in doc[end:end + 3] if t.norm_ not in ("a", "an", "about", "around")]
    if following and following[0].like_num:
        return "number"
    return "wh" if following and following[0].tag_ in WH_TAGS else None


def _reported_concept(span: Span) -> bool:
    """A sign inside what someone reports ("they said on Casualty that a fall from a height can
    break your spine", "everything I read says numb saddle area, weak legs"), where the
    report names no one: not "he says he can't feel his legs", not "the numbness is new", not
    "Mum's just told me her bottom feels numb" (whose it is may lie in the mention only)."""
    before = span.doc[max(span.sent.start, span.start - 3):span.end]
    if any(t.tag_ == "PRP$" and t.norm_ not in GENERIC_PRONOUNS or t.norm_ in OWNER_PRONOUNS
           for t in before):
        return False
    token = span.root
    while token.head.i != token.i:
        if token.dep_ == "ccomp" and token.head.lemma_ in REPORT_VERBS or (
                token.dep_ == "dobj" and token.head.lemma_ in SAY_VERBS):
            return not any(t.tag_ in ("PRP", "PRP$") and t.norm_ not in GENERIC_PRONOUNS
                           or t.norm_ in OWNERS and t.dep_ == "det" for t in token.subtree)
        token = token.head
    return False


def _told_in_present(span: Span) -> bool:
    """The mention's own verb is in the present tense or the present perfect ("both her legs
    are tingling after she landed badly", "she has soiled herself and didn't know"): it is now,
    whatever past verb PAST finds around it."""
    finite = [t for t in span if t.tag_ in FINITE] or [
        c for t in span if t.pos_ == "VERB" for c in t.children
        if c.dep_ in ("aux", "auxpass") and c.tag_ in FINITE]
    return bool(finite) and finite[0].tag_ != "VBD" and finite[0].norm_ not in ("could", "would")


def _own_words(span: Span, deps: Sequence[str]) -> Iterable[Token]:
    """The mention's words that are, by the parse, one of `deps` of another of its words
    (its own subject, owner or object: "she fell", "cleaned us up")."""
    return (t for t in span if t.dep_ in deps and span.start <= t.head.i < span.end)


def _own_words_self(span: Span) -> bool:
    """The patient is inside the mention ("ran into me", "cleaned us up", "hit my car")."""
    return any(_first_person(t) for t in _own_words(
        span, ("dobj", "pobj", "poss", "dative", "nsubj")))


def _owned_by_anyone(span: Span) -> bool:
    """The mention's own subject or owner is the generic "you" ("numbness in your bum is the one
    to watch for", "when you can't pee"): a sign spoken of as a sign, like CONCEPT's."""
    return any(t.norm_ in ("you", "your", "yourself")
               for t in _own_words(span, ("nsubj", "nsubjpass", "poss", "dobj", "pobj")))


def _says_it_of(span: Span) -> bool:
    """The phrase's subject is "it" or "they" ("it's definitely weaker", "they went numb")."""
    heads = [span.root, span.root.head]
    return any(c.dep_ in ("nsubj", "nsubjpass") and c.norm_ in ("it", "they")
               for head in heads for c in head.children)


def _cues_of(span: Span) -> List[Any]:
    """ConText's modifiers of a mention, less those that lie inside a mention of its group,
    itself included (they are that mention's own words); but whose a sign is holds across
    mentions ("her" in "the inside of her thighs feel numb" is also the thighs' owner)."""
    group = list(span.doc.spans[ANSWER_GROUP if _kind(span) == ANSWER else SPAN_GROUP])
    # the "n't" of an answer-only phrase ("can't lift") denies no fact either ("my dad can't
    # lift his foot, it's just flopping")
    denials_within = group if _kind(span) == ANSWER else group + list(
        span.doc.spans.get(ANSWER_GROUP, []))
    return [m for m in span._.modifiers if m.category == "OTHER" or not any(
        t.start <= m.modifier_span[0] and m.modifier_span[1] <= t.end
        for t in (denials_within if m.category == "NEGATED" else group))]


def _carries_denial(span: Span) -> bool:
    """A sign told with a denial of its own ("can't feel", "won't hold", "no feeling"): a
    denial before it does not deny it again ("haven't been since yesterday, can't seem to go"
    states it)."""
    return any(t.lower_ in ("n't", "nt") or t.norm_ in DENIALS or t.norm_ in ("unable", "cannot")
               for t in span)


def _denial_runs_into(span: Span) -> bool:
    """A denial cue that runs into the mention ("haven't had" before "had any surgery"):
    ConText lets no cue modify a mention it shares a word with."""
    graph = span.doc._.context_graph
    return graph is not None and any(
        m.category == "NEGATED" and m.modifier_span[0] < span.start < m.modifier_span[1]
        for m in graph.modifiers)


def _denied_right_before(span: Span) -> bool:
    """"no" or "without" right before a mention ("also no numbness in the legs"), also where
    `_cues_of` leaves it out because it lies inside another mention."""
    return span.start > span.sent.start and span.doc[span.start - 1].norm_ in DENIED_BEFORE


def _denial_shared(read: List[Tuple[Span, Fact]]) -> List[Fact]:
    """A fact joined by "or"/"nor" to a denied one before it is denied too ("neither
    numbness nor weakness", "no fever or chills"), whatever ConText's scopes reached."""
    denied = [span for span, fact in read if fact.assertion == NEGATED]
    facts = []
    for span, fact in read:
        before = span.doc[span.start - 1] if span.start > span.sent.start else None
        if fact.assertion == AFFIRMED and before is not None and before.norm_ in OR_WORDS \
                and any(d.start < before.i and d.sent == span.sent for d in denied):
            fact = Fact(fact.slot, NEGATED, fact.experiencer, fact.start_char, fact.end_char)
        facts.append(fact)
    return facts


def _asked_inside_requests(facts: List[Fact], words: List["AnswerWord"]) -> List[Fact]:
    """A fact whose mention starts inside a request to explain the question ("does lifting my
    toddler count as heavy lifting?") is asked about, not stated: unless claimed after ("does
    falling off a step count? I did that on Sunday")."""
    requests = [w for w in words if w.kind == "explain"]
    return [Fact(f.slot, ASKED, f.experiencer, f.start_char, f.end_char)
            if f.assertion in STATED and any(
                w.start_char <= f.start_char < w.end_char for w in requests)
            else f for f in facts]


def _diagnoses_denied(read: List[Tuple[Span, Fact]]) -> List[Tuple[Span, Fact]]:
    """A condition named ("cauda equina") is no fact of the patient's where the message denies
    the fact it stands for ("I can feel everything down there")."""
    denied = {f.slot for _, f in read if f.assertion == NEGATED and f.experiencer == PATIENT}
    return [(span, fact) for span, fact in read
            if not (_kind(span) == DIAGNOSIS and fact.slot in denied)]


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
        self._spelling = Spelling(lexicon.get("not_typos", []))
        _register_token_extensions(nlp, lexicon["fever_temperature_celsius"])
        self._compiler = PhraseCompiler(
            nlp, {**lexicon["words"], **context_rules.get("words", {}), **terms}, self._spelling,
            lexicon.get("aliases", {}))
        self._idioms = lexicon.get("idioms", [])
        self._aligners: Dict[str, Matcher] = {}
        self._plain_words = frozenset(self._compiler.norms(lexicon.get("plain_words", [])))
        vocabulary = self._compiler.list_words(lexicon.get("sign_vocabulary", []))
        self._sign_words = frozenset(w for w in vocabulary if " " not in w) - self._plain_words
        self._sign_phrases = frozenset(w for w in vocabulary if " " in w)
        self._facts: Dict[str, dict] = lexicon["facts"]
        self._targets = TargetMatcher(nlp, result_type="group", span_group_name=SPAN_GROUP,
                                      prune=False)
        self._targets.add(list(self._target_rules()))
        # A cue inside a mention, its own or another, is part of that mention's words and
        # modifies nothing (`_cues_of`: the "n't" of "can't feel" denies neither it nor another
        # fact), but a cue that only shares a word with a mention does ("fully better" with
        # "better", "from her diabetes" with "diabetes"). Answer-only
        # phrases are read in a group of their own, so that they never take a cue from a fact.
        rules = list(self._context_rules(context_rules["rules"]))
        ended = {r["category"] for r in context_rules["rules"]} - {RESOLVED, CLAUSE_END}
        self._context, self._answer_context = (
            ConText(nlp, rules=None, input_span_type="group", span_group_name=group,
                    prune_on_target_overlap=False, span_attrs=None,
                    terminating_types={category: [CLAUSE_END] for category in ended})
            for group in (SPAN_GROUP, ANSWER_GROUP))
        self._context.add(rules)
        self._answer_context.add(rules)
        self._claims = Matcher(nlp.vocab)
        for kind in (CLAIMS, DISCLAIMS, RETURNS, DATED):
            self._claims.add(kind, [pattern for phrase in context_rules.get(kind, [])
                                    for pattern in self._compiler.patterns(phrase, typos=False)])
        self._topics = {slot: frozenset(self._compiler.list_words(spec["refers_to"]))
                        for slot, spec in self._facts.items() if "refers_to" in spec}
        self._topic_words = frozenset().union(*self._topics.values(), self._compiler.norms(
            lexicon.get("body_parts_of_no_fact", [])))
        self._third_person = frozenset(self._compiler.norms(
            context_rules["words"]["third_person"]))
        self._answers = Matcher(nlp.vocab)
        self._answer_labels: Dict[str, Tuple[str, Optional[str]]] = {}
        self._add_answers(lexicon["answers"])

    # -- building --------------------------------------------------------------------------

    def _target_rules(self) -> Iterable[TargetRule]:
        for phrase in self._idioms:
            for pattern in self._compiler.patterns(phrase, typos=False):
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
                for pattern in self._compiler.patterns(phrase, typos=False):
                    yield ConTextRule(phrase, rule["category"], pattern=pattern, **options)

    def _add_answers(self, answers: dict) -> None:
        by_question = answers.get("by_question", {})
        groups = [(kind, None, answers[kind]) for kind in ANSWER_KINDS + (WEAK_YES,)]
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
            return Reading((), (), False)
        letters = [c for c in doc.text if c.isalpha()]
        if len(letters) > 3 and sum(c.isupper() for c in letters) > 0.7 * len(letters):
            doc = self._nlp(doc.text.lower())
        if not doc.has_annotation("DEP"):
            # Rasa's SpacyNLP loads the pipeline without its parser; ConText needs sentences.
            self._nlp.get_pipe("parser")(doc)
        self._spelling.correct(doc)
        doc = self._targets(doc)
        found = list(doc.spans[SPAN_GROUP])
        spans = self._pruned(found)
        doc.spans[SPAN_GROUP] = [s for s in spans if _kind(s) != ANSWER]
        doc.spans[ANSWER_GROUP] = [s for s in spans if _kind(s) == ANSWER]
        for group, context in ((SPAN_GROUP, self._context), (ANSWER_GROUP, self._answer_context)):
            if len(doc.spans[group]):  # ConText's matching is most of the layer's cost
                doc = context(doc)
        claims = [(self._nlp.vocab.strings[kind], doc[start:end])
                  for kind, start, end in self._claims(doc)] if len(doc.spans[SPAN_GROUP]) else []
        referred = [(span, fact) for span in self._referred(doc) for fact in self._facts_of(span)
                    if fact.assertion not in (HYPOTHETICAL, ASKED)]  # as a reply, it says so
        words = self._answer_words(doc)
        facts = list(dict.fromkeys(self._claimed(doc, claims, _asked_inside_requests(
            _denial_shared(_diagnoses_denied(
                [(span, fact) for span in doc.spans[SPAN_GROUP] for fact in self._facts_of(span)]
                + referred)), words))))
        replies = {span: self._reply_to_question(span) for span in doc.spans[ANSWER_GROUP]}
        about = [s for s in found if _kind(s) != ANSWER] + self._denied_answers(doc, replies) + [
            span for _, span in claims] + [span for span, _ in referred]
        denied = any(f.assertion == NEGATED for f in facts)
        # an answer-only phrase inside a word that answers its question says no more than that
        # word ("bad" in "only bad when I bend", a no to the severe pain question)
        words += [w for reply in replies.values() for w in reply if not any(
            o.question == w.question and o.start_char <= w.start_char and w.end_char <= o.end_char
            for o in words)]
        return Reading(tuple(facts), tuple(words),
                       bool(about) and self._every_clause_about(doc, about, denied),
                       any(_is_question(sentence) for sentence in doc.sents))

    def _referred(self, doc: Doc) -> List[Span]:
        """Answer-only phrases that say "it" or "they" of what their fact is about, named
        before them in their sentence or the one before ("the physio checked my foot and said
        it's definitely weaker"): the nearest such word (lexicon.yml, `refers_to`) decides."""
        referred = []
        for span in doc.spans.get(ANSWER_GROUP, []):
            if _slot(span) not in self._topics or not _says_it_of(span):
                continue
            sentence = span.sent
            start = doc[sentence.start - 1].sent.start if sentence.start > 0 else 0
            nearest = next((t for t in reversed(doc[start:span.start])
                            if t.norm_ in self._topic_words), None)
            if nearest is not None and nearest.norm_ in self._topics[_slot(span)]:
                referred.append(span)
        return referred

    def _denied_answers(self, doc: Doc, replies: Dict[Span, List[AnswerWord]]) -> List[Span]:
        """Answer-only phrases with a warning-sign word denied by a word of denial ("no
        numbness there"; not the "n't" of "can't pull my left foot up"), except where a phrase
        of a sign, not denied, shares their words. (One not denied leaves its clause to DIET:
        "both feet" says where, not what.)"""
        spans = [s for s in doc.spans[ANSWER_GROUP] if any(
            t.norm_ in self._sign_words for t in s)]
        denied = {s: any(w.kind == "no" for w in replies[s]) and any(
            doc[t].lower_ in DENIALS for m in _cues_of(s) if m.category == "NEGATED"
            for t in range(*m.modifier_span)) for s in spans}
        signs = [s for s in spans if _slot(s) in triage.SIGNS and not denied[s]]
        return [s for s in spans if denied[s] and not any(
            s.start < t.end and t.start < s.end for t in signs)]

    def _claimed(self, doc: Doc, found: List[Tuple[str, Span]], facts: List[Fact]
                 ) -> List[Fact]:
        """What the patient says of the signs spoken of before: a hypothetical or asked-about
        mention then claimed ("..., and that's exactly what I've had since this morning", in
        its sentence or the next) is theirs, affirmed; a mention then disclaimed ("the physio
        went through the warning signs, numbness ..., weak legs, and I don't have any of them",
        in its sentence, or in the next where it was not affirmed: "I might have cauda equina.
        But I've got none of the symptoms") is denied; a past one then said to be back ("the
        leaking I had after childbirth stopped years ago, but this week it's started again")
        is affirmed; a sign told of in a sentence the next one dates back ("I couldn't feel my
        bottom for a day after the epidural. That was nine years ago.") is past."""
        if not found:
            return facts
        sentences = {s.start: i for i, s in enumerate(doc.sents)}

        def after(fact: Fact, kind: str, sentences_on: int, first: int = 0) -> bool:
            mention = doc.char_span(fact.start_char, fact.end_char)
            return any(k == kind and c.start >= mention.end and not (  # "hasn't come back"
                kind == RETURNS and (_denied_just_before(c, words=2) or _carries_denial(c)))
                and first <= sentences[c.sent.start] - sentences[mention.sent.start]
                <= sentences_on for k, c in found)

        result = []
        for f in facts:
            if f.experiencer == PATIENT and f.assertion in (HYPOTHETICAL, ASKED) and after(
                    f, CLAIMS, 1):
                f = Fact(f.slot, AFFIRMED, PATIENT, f.start_char, f.end_char)
            elif f.experiencer == PATIENT and f.assertion == HISTORICAL and after(
                    f, RETURNS, 1):
                f = Fact(f.slot, AFFIRMED, PATIENT, f.start_char, f.end_char)
            elif f.experiencer == PATIENT and f.assertion != NEGATED and after(
                    f, DISCLAIMS, 0 if f.assertion == AFFIRMED else 1):
                f = Fact(f.slot, NEGATED, PATIENT, f.start_char, f.end_char)
            elif f.assertion in STATED and not self._facts[f.slot].get("past_counts") and after(
                    f, DATED, 1, first=1):
                f = Fact(f.slot, HISTORICAL, PATIENT, f.start_char, f.end_char) if \
                    f.experiencer == PATIENT else Fact(f.slot, f.assertion, SOMEONE_ELSE,
                                                       f.start_char, f.end_char)
            result.append(f)
        return result

    def _pruned(self, spans: Iterable[Span]) -> List[Span]:
        """Longest match per fact and kind: "numb in both legs" is one mention, not three; two
        facts may share words ("my legs are weak and numb"). An idiom ("dead on my feet")
        removes the facts it overlaps, and a normal phrase ("number twos are normal") the
        mentions of its own fact that it contains."""
        groups: Dict[str, List[Span]] = {}
        for span in spans:
            groups.setdefault(span.label_, []).append(span)
        kept = {label: filter_spans(group) for label, group in groups.items()}
        idioms = kept.pop(IDIOM, [])

        facts = [s for group in kept.values() for s in group
                 if _kind(s) in ("", LASTING, DIAGNOSIS)]

        def cancelled(span: Span) -> bool:
            """A normal phrase cancels the mentions it contains, or, for facts whose entry says
            `normal_cancels: message`, every mention in the message; a denied one ("not that
            I was trying to") cancels nothing."""
            normals = [n for n in kept.get(_slot(span) + KINDS["normal"], [])
                       if not _denied_just_before(n)]
            if self._facts[_slot(span)].get("normal_cancels") == "message":
                return bool(normals)
            return any(span.start < n.end and n.start < span.end for n in normals)

        result = [s for label, group in kept.items() for s in group
                  if not any(s.start < o.end and o.start < s.end for o in idioms)
                  and (_kind(s) == NORMAL or not cancelled(s))
                  and (_kind(s) != ANSWER or not any(
                      s.start < f.end and f.start < s.end for f in facts))]
        return sorted(result, key=lambda s: (s.start, s.end))

    def _categories(self, span: Span) -> FrozenSet[str]:
        """What ConText says of a mention, and what a cue inside its gaps says ("my feet aren't
        tingling", "my legs will go numb": ConText never lets a cue modify a mention that
        contains it). When a past and a present time cue both reach a mention, the nearer
        one counts ("had cancer in 2015, numbness down my leg now")."""
        gaps = self._gap_tokens(span)
        inner = {INNER_CUES[t.norm_] for t in gaps if t.norm_ in INNER_CUES and not (
            t.norm_ in ("if", "whether") and t.i > 0 and t.doc[t.i - 1].lemma_ in UNCERTAIN_VERBS)
            and not (t.norm_ == "not" and t.i > 0 and t.doc[t.i - 1].norm_ == "or")}  # "or not"
        if any(t._.get(FUTURE_MODAL) for t in gaps):
            inner.add("HYPOTHETICAL")
        modifiers = {m.category: m for m in _cues_of(span)}
        if "UNCERTAIN" in modifiers and span.doc[
                modifiers["UNCERTAIN"].modifier_span[0]]._.get(FUTURE_MODAL):
            inner.add("HYPOTHETICAL")  # "might spread", "could turn into": not yet, not maybe
        if _denied_right_before(span) or _denial_runs_into(span):
            inner.add("NEGATED")
        if "NEGATED" in modifiers and modifiers["NEGATED"].modifier_span[1] <= span.start \
                and _carries_denial(span):
            modifiers.pop("NEGATED")  # "haven't been since yesterday, can't seem to go"
        if "HISTORICAL" in modifiers and "ACUTE" in modifiers and _distance(
                span, modifiers["ACUTE"]) < _distance(span, modifiers["HISTORICAL"]):
            modifiers.pop("HISTORICAL")
        if "ASKED" in modifiers and modifiers["ASKED"].modifier_span[0] >= span.end \
                and _said_of_self(span):
            modifiers.pop("ASKED")  # "my leg has gone weak, is that serious?" states it
        if ("CONCEPT" in modifiers or _owned_by_anyone(span)) and not _said_of_self(span) or \
                _reported_concept(span) and not (
                _kind(span) == ANSWER and _says_it_of(span)):  # "said it's weaker": the foot
            inner.add("HYPOTHETICAL")
        if self._own_words_other(span):
            inner.add("OTHER")
        elif _own_words_self(span):
            inner.add("SELF")  # "a ute cleaned us up": the patient's, whoever did it
        if _is_question(span.sent):
            inner.add("IN_QUESTION")
            if not any(_first_person(t) for t in span.sent):
                inner.add("ASKED")  # "is tingling in both feet serious?" (but "is it normal
                # that I can't feel my bum?" states it)
        return frozenset(modifiers) | inner

    def _own_words_other(self, span: Span) -> bool:
        """The mention's own subject or owner is someone else ("she fell", "lost control of
        her bladder"): ConText gives no cue to the mention it lies in."""
        return any(t.norm_ in self._third_person
                   for t in _own_words(span, ("nsubj", "nsubjpass", "poss")))

    def _gap_tokens(self, span: Span) -> List[Token]:
        """The tokens of a mention that its pattern's "~N" gaps matched (not its own words)."""
        if not any(t.norm_ in INNER_CUES or t._.get(FUTURE_MODAL) for t in span):
            return []
        rule = span._.target_rule
        if rule._rule_id not in self._aligners:
            aligner = Matcher(self._nlp.vocab)
            aligner.add("mention", [rule.pattern])
            self._aligners[rule._rule_id] = aligner
        best: List[Token] = []
        for _, start, end, alignment in self._aligners[rule._rule_id](
                span.doc, with_alignments=True):
            if start == span.start and end == span.end:
                best = [span.doc[start + i] for i, p in enumerate(alignment)
                        if WRITTEN_START in rule.pattern[p].get("_", {})]
        return best

    def _facts_of(self, span: Span) -> List[Fact]:
        categories = self._categories(span)
        spec = self._facts[_slot(span)]
        if _kind(span) == LASTING:
            spec = {**spec, "past_counts": True, "new_only": False}
        assertion = self._assertion(categories, spec)
        if _kind(span) == NORMAL:
            # "my bladder is fine": a denial, unless something else is said of it; a denial
            # inside it says the sign ("my leg is not strong", "legs don't feel normal"), one
            # right before it says nothing ("I'm not dieting" is no denial of weight loss)
            if _denied_just_before(span, words=2):
                return []
            if assertion == AFFIRMED:
                assertion = NEGATED
            elif categories <= {"NEGATED", "ACUTE", "PAST"} and any(
                    t.norm_ in DENIALS for t in self._gap_tokens(span)):
                assertion = AFFIRMED
            else:
                return []
        if _kind(span) == POSSIBLE and assertion in (AFFIRMED, UNCERTAIN):
            assertion = POSSIBLE
        experiencer = PATIENT
        if "PEOPLE" in categories:
            categories = categories | {"OTHER", "GENERAL"}
        if "ANIMAL" in categories:
            return []
        if "OTHER" in categories and "SELF" not in categories:
            # a long-standing state is not now, unless something is new ("since this morning")
            if "ACUTE" in categories:
                categories = categories - {"LONG_TERM"}
            if _told_in_present(span):
                categories = categories - {"PAST"}
            # a past that counts now (cancer) counts for them now too
            now = assertion in STATED and not categories & {
                "CHRONIC", "GENERAL", "LONG_TERM"} and ("PAST" not in categories or "ACUTE" in
                                                        categories or spec.get("past_counts"))
            experiencer = SOMEONE_ELSE_NOW if now else SOMEONE_ELSE
        return [Fact(_slot(span), assertion, experiencer, span.start_char, span.end_char)]

    @staticmethod
    def _assertion(categories: FrozenSet[str], spec: dict) -> str:
        if "ASKED" in categories:
            return ASKED
        if "HYPOTHETICAL" in categories:
            # "how can I tell if it's cauda equina?": a condition inside a question asks
            return ASKED if "IN_QUESTION" in categories else HYPOTHETICAL
        if "NEGATED" in categories:
            return NEGATED
        if categories & {"HISTORICAL", RESOLVED}:
            return AFFIRMED if spec.get("past_counts") else HISTORICAL
        if "CHRONIC" in categories and spec.get("new_only"):
            return HISTORICAL
        if "UNCERTAIN" in categories:
            return UNCERTAIN
        return AFFIRMED

    def _every_clause_about(self, doc: Doc, spans: List[Span], denied: bool) -> bool:
        """Whether each clause with a warning-sign word (`sign_vocabulary`) overlaps a fact or
        an idiom. Next to a denial, every clause with words of its own must: a negation that
        explains only part of a message ("no fever but everything feels odd") explains none."""
        covered = {i for span in spans for i in range(span.start, span.end)}
        clause: List[Token] = []
        for token in list(doc) + [None]:
            if token is None or token.norm_ in CLAUSE_BREAKS or token.is_sent_start:
                norms = " " + " ".join(t.norm_ for t in clause) + " "
                words = [t for t in clause if t.norm_ in self._sign_words] or [
                    phrase for phrase in self._sign_phrases if f" {phrase} " in norms] or [
                    t for t in clause if denied and t.is_alpha and not t.is_stop
                    and t.norm_ not in self._plain_words]
                if words and not any(t.i in covered for t in clause):
                    return False
                clause = []
            if token is not None:
                clause.append(token)
        return True

    def _reply_to_question(self, span: Span) -> List[AnswerWord]:
        """An answer-only phrase ("it gave way") as a word that answers its own question, by
        what ConText says of it ("not weak" is a no)."""
        categories = self._categories(span)
        if "OTHER" in categories and "SELF" not in categories:
            return []
        assertion = self._assertion(categories, self._facts[_slot(span)])
        kind = {AFFIRMED: "yes", UNCERTAIN: "unsure", NEGATED: "no", HISTORICAL: "no"}.get(
            assertion)
        return [AnswerWord(kind, _slot(span), span.start_char, span.end_char)] if kind else []

    def _answer_words(self, doc: Doc) -> List[AnswerWord]:
        """Answer words, a request to explain or "not sure" winning over a yes or no they
        overlap ("I'm not certain", "I don't understand"). The general yes/no/not-sure words
        count only in the first clause that has one: later ones tell a detail ("no, but I've
        got a fever"). A later hedge still counts ("no, well, I couldn't say"), unless a
        question word follows it: then it is unsure of something else ("no, not sure why it
        hurts"); a hedge before a number, in any clause, is unsure of the number ("it's
        manageable, maybe a three")."""
        matches = sorted(self._answers(doc), key=lambda m: (
            _PRIORITY[self._answer_labels[self._nlp.vocab.strings[m[0]]][0]], m[1] - m[2], m[1]))
        taken: List[Tuple[int, int, str]] = []
        for match_id, start, end in matches:
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, self._nlp.vocab.strings[match_id]))
        strong = any(self._answer_labels[label] != (WEAK_YES, None) for _, _, label in taken)
        words, first_clause = [], None
        for start, end, label in sorted(taken):
            if self._answer_labels[label] == (WEAK_YES, None):
                if strong:
                    continue
                label = "yes:"
            kind, question = self._answer_labels[label]
            if kind != "explain" and question is None:
                clause = sum(1 for t in doc[:start] if t.norm_ in CLAUSE_BREAKS)
                first_clause = clause if first_clause is None else first_clause
                later = clause != first_clause
                unsure_of = _unsure_of(doc, end) if kind == "unsure" else None
                if unsure_of == "number" or later and (kind != "unsure" or unsure_of == "wh"):
                    continue
            words.append(AnswerWord(kind, question, doc[start].idx,
                                    doc[end - 1].idx + len(doc[end - 1])))
        return words
