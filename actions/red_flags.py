"""Rule layer that spots emergency signs volunteered in free text (triage.md, last section).

A message such as "I wet myself" must trigger the emergency advice at any point of the
conversation, while "no bladder problems" must not. NLU intents alone cannot be trusted
with that, so this module matches the signs with spaCy token patterns (lower-case forms,
so typos in inflection still match) and then discards mentions that are negated,
hypothetical, or only asked about. No Rasa imports: the caller passes a loaded spaCy
``Language``.

Rules, in order:

1. Terms are matched with a ``Matcher``. Some signs are one phrase ("I wet myself",
   "car crash"); others are a symptom term plus a body-part term in the same clause
   within a few tokens ("my groin went numb", "weakness in my left leg").
2. Clauses ("segments") are cut at sentence ends, "but"/"because"-like words, and at
   "and"/"or"/commas that start a new clause with its own subject, so that
   "no back pain but my legs are weak" and "numbness in one leg and my groin hurts"
   are read clause by clause.
3. A mention is negated when a cue (no, not, n't, never, without, none, nothing,
   neither/nor, deny) in its clause governs it in the dependency parse (crossing no
   clause boundary except after "think"/"believe"), or stands at most three tokens
   before it; a cue after the mention past a comma ("weak, not numb") does not count.
   Negations that are part of the sign itself ("I can't control my bladder",
   "no feeling in my groin", "can't pee") are part of the pattern and ignored as cues.
   "Not sure"/"don't know" are uncertainty, not negation, so the sign still counts.
4. A question ("?" or starting with what/is/does/...) without a first-person word is a
   question about a sign, not a statement of one ("what does loss of bladder control
   mean?"), so it does not count; "I wet myself, is that bad?" does. A sign inside a
   conditional "if"/"unless" clause is hypothetical and does not count.
5. An injury dated years back in the same sentence ("a car crash 10 years ago") is not
   what started this pain (triage.md question 5), so it does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Sequence, Set, Tuple, Union

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

__all__ = ["RedFlagMatcher", "Mention", "SIGNS"]

# Slot names from triage.md; each one alone is an emergency.
SIGNS: Tuple[str, ...] = (
    "bladder_bowel_change",
    "saddle_numbness",
    "leg_weakness",
    "both_legs",
    "injury_severe",
)

# --------------------------------------------------------------------------------------
# Vocabulary (lower-case surface forms; inflections listed so no lemmatizer is needed)
# --------------------------------------------------------------------------------------

NEG_CUES = frozenset({
    "no", "not", "n't", "nt", "never", "without", "none", "nothing", "neither", "nor",
    "nobody", "deny", "denies", "denied", "denying", "nope", "nah",
})
# Heads that make a negation mean uncertainty ("not sure", "don't know"): still a sign.
UNCERTAIN_HEADS = frozenset({"sure", "certain", "know", "remember", "tell", "say", "knw"})
# Verbs whose negation moves into their complement ("I don't think my legs are weak").
NEG_RAISERS = frozenset({"think", "believe", "reckon", "suppose", "feel", "seem", "expect"})
FIRST_PERSON = frozenset({"i", "me", "my", "myself", "mine", "im", "i'm", "ive", "we",
                          "us", "our", "ourselves"})
QUESTION_STARTS = frozenset({
    "what", "whats", "what's", "how", "why", "when", "where", "which", "who", "whom",
    "whose", "is", "are", "am", "was", "were", "does", "do", "did", "can", "could",
    "should", "would", "will", "shall", "may", "might", "has", "have", "had", "isn't",
    "doesn't", "explain", "define",
})
SUBJECT_PRONOUNS = frozenset({"i", "he", "she", "it", "they", "we", "you", "im", "i'm",
                              "there", "this", "that"})
HARD_BREAK_WORDS = frozenset({"but", "though", "although", "however", "except", "yet",
                              "whereas", "because", "cos", "coz", "cuz", "cause", "otherwise",
                              "apart", "besides"})
# After a comma these start a contrasting clause: "no bladder problems, just weak legs".
CONTRAST_AFTER_COMMA = frozenset({"just", "only", "still", "mainly", "mostly", "also",
                                  "plus", "though", "except", "apart", "besides", "instead",
                                  "rather", "more", "now"})
SOFT_BREAK_PUNCT = frozenset({",", ":", "-", "--", "\u2013", "\u2014", "(", ")", "/"})
HARD_BREAK_PUNCT = frozenset({";", ".", "!", "?", "...", "\u2026"})
CLAUSE_CC = frozenset({"and", "or", "so", "then", "plus", "&", "n"})
BLOCKING_DEPS = frozenset({"ccomp", "advcl", "relcl", "csubj", "parataxis"})

CANT = [
    [{"LOWER": {"IN": ["ca", "can", "could", "wo", "cant", "couldnt", "cannot"]}},
     {"LOWER": {"IN": ["n't", "nt", "not"]}}],
    [{"LOWER": {"IN": ["cant", "couldnt", "cannot", "cnt", "cldnt"]}}],
    [{"LOWER": "unable"}, {"LOWER": "to"}],
    [{"LOWER": "not"}, {"LOWER": "able"}, {"LOWER": "to"}],
    [{"LOWER": {"IN": ["ca", "can", "could"]}}, {"LOWER": {"IN": ["n't", "nt", "not"]}},
     {"LOWER": "seem"}, {"LOWER": "to"}],
]
# "can't control it any more": optional adverb between the modal and the verb
ADV_OPT = {"LOWER": {"IN": ["really", "even", "properly", "fully", "always", "quite"]},
           "OP": "?"}

BB_WORDS = [
    "bladder", "bladders", "bowel", "bowels", "urine", "pee", "wee", "poo", "poop", "stool",
    "stools", "faeces", "feces", "urinate", "urinating", "urination", "peeing", "weeing",
    "pooing", "pooping", "piss", "pissing", "waterworks", "wee-wee", "pees",
    "motions", "bladdder", "blader",
]
BB_ACTION_VERBS = [  # what one "can't" do
    "pee", "wee", "urinate", "poo", "poop", "piss", "pass", "empty", "void", "defecate",
]
BB_CONTROL_VERBS = ["control", "hold", "stop", "feel", "empty", "start", "pass", "go", "tell",
                    "sense", "controll", "contol"]
BB_PROBLEMS = [
    "problem", "problems", "issue", "issues", "trouble", "troubles", "difficulty",
    "difficulties", "difficult", "change", "changes", "changed", "leak", "leaks", "leaking",
    "leaked", "leakage", "accident", "accidents", "incontinence", "incontinent",
    "dribbling", "dribble", "struggle", "struggling", "struggled", "retention", "hard",
    "weird", "different", "strange",
]
WET_VERBS = ["wet", "wets", "wetting", "wetted", "pee", "peed", "pees", "peeing", "wee",
             "weed", "wee'd", "weeing", "piss", "pissed", "pissing", "poo", "pooed", "pooing",
             "poop", "pooped", "pooping", "soil", "soiled", "soiling", "shit", "shat",
             "leak", "leaked", "leaking", "messed", "mess", "pead", "pede"]
BB_FAILS = ["come", "coming", "start", "starting", "flow", "flowing", "stop", "stopping",
            "empty", "emptying", "work", "working"]
GARMENTS = ["pants", "trousers", "knickers", "underwear", "undies", "bed", "jeans",
            "nappy", "diaper", "shorts", "pyjamas", "pajamas", "self", "clothes"]

NUMB_WORDS = ["numb", "numbness", "numbed", "numbing", "numbish", "tingle", "tingles",
              "tingling", "tingly", "tinglin", "anaesthesia", "anesthesia", "anaesthetic",
              "dead", "deadness", "nmb", "numbb", "numbnes"]
SADDLE_LOCS = [
    "groin", "groins", "genital", "genitals", "genitalia", "crotch", "privates", "bum",
    "buttock", "buttocks", "butt", "butthole", "backside", "arse", "ass", "anus", "anal",
    "perineum", "perineal", "taint", "vagina", "vaginal", "vulva", "labia", "penis",
    "scrotum", "testicle", "testicles", "saddle", "wipe", "wiping", "wiped", "bottom",
    "rectum", "rectal", "nethers", "willy", "fanny", "bits", "groan",
]
LEG_WORDS = ["leg", "legs", "foot", "feet", "ankle", "ankles", "knee", "knees", "toe", "toes",
             "thigh", "thighs", "calf", "calves", "limb", "limbs", "shin", "shins"]
LEG_PLURALS = ["legs", "feet", "thighs", "calves", "limbs", "shins", "ankles", "knees"]
WEAK_WORDS = [
    "weak", "weaker", "weakness", "weakening", "weakened", "weekness", "weeker", "buckle",
    "buckled", "buckling", "buckles", "collapse", "collapsed", "collapses", "collapsing",
    "drag", "drags", "dragging", "dragged", "floppy", "flopping", "flops", "paralysed",
    "paralyzed", "paralysis", "wobbly", "jelly",
]
VEHICLES = ["car", "cars", "auto", "motor", "motorbike", "motorcycle", "motorcyle", "road",
            "traffic", "vehicle", "bus", "truck", "lorry", "van", "train", "highway",
            "motorway", "head-on", "quad", "tractor", "taxi", "cab", "suv", "moped",
            "scooter"]
CRASHES = ["crash", "crashes", "crashed", "accident", "accidents", "collision", "collided",
           "wreck", "wrecked", "smash", "smashed", "pileup", "pile-up", "rollover",
           "accedent", "acident", "crsh"]
HEIGHTS = ["roof", "roofs", "rooftop", "ladder", "ladders", "stepladder", "scaffold",
           "scaffolding", "balcony", "wall", "tree", "horse", "window", "bridge", "cliff",
           "building", "height", "heights", "storey", "story", "loft", "attic", "platform",
           "mezzanine", "crane", "upstairs"]
FALL_VERBS = ["fell", "fall", "falling", "fallen", "falls", "tumbled", "jumped", "thrown",
              "threw", "flung", "dropped"]
HEIGHT_UNITS = ["feet", "foot", "ft", "metres", "meters", "metre", "meter", "m", "storeys",
                "stories", "floors", "flights", "yards"]


def _alts(*words: Iterable[str]) -> Dict[str, Dict[str, List[str]]]:
    out: List[str] = []
    for group in words:
        out.extend(group)
    return {"LOWER": {"IN": sorted(set(out))}}


def _cant(*rest: dict) -> List[List[dict]]:
    """The same tail after every spelling of "can't"/"unable to"."""
    return [list(prefix) + [ADV_OPT] + list(rest) for prefix in CANT]


def _build_patterns() -> Dict[str, List[List[dict]]]:
    """Pattern table: label -> token patterns. Sign labels are complete mentions."""
    any_few = {"IS_SENT_START": False, "OP": "{0,3}"}
    bb = _alts(BB_WORDS)
    p: Dict[str, List[List[dict]]] = {}

    p["bladder_bowel_change"] = [
        *_cant(_alts(BB_CONTROL_VERBS), any_few, bb),
        *_cant(_alts(BB_ACTION_VERBS, ["peeing", "weeing", "urinating", "pooing"])),
        *_cant({"LOWER": {"IN": ["go", "get"]}}, {"LOWER": "to"},
               {"LOWER": {"IN": ["the", "a"]}, "OP": "?"},
               {"LOWER": {"IN": ["toilet", "loo", "bathroom"]}}),
        *_cant({"LOWER": {"IN": ["stop", "help", "control", "hold"]}}, any_few,
               _alts(WET_VERBS)),
        [{"LOWER": {"IN": ["lost", "lose", "losing", "loss", "loses", "lack", "no", "poor",
                           "reduced", "bad", "zero"]}},
         {"LOWER": {"IN": ["of", "my", "the", "any"]}, "OP": "{0,2}"}, bb,
         {"LOWER": {"IN": ["control", "sensation", "feeling"]}}],
        [{"LOWER": {"IN": ["lost", "lose", "losing", "loss", "loses", "lack", "no", "poor",
                           "reduced", "zero"]}},
         {"LOWER": {"IN": ["of", "any"]}, "OP": "?"},
         {"LOWER": {"IN": ["control", "sensation", "feeling"]}},
         {"LOWER": {"IN": ["of", "over", "in", "with"]}},
         {"LOWER": {"IN": ["my", "the", "me"]}, "OP": "?"}, bb],
        [_alts(WET_VERBS), {"LOWER": {"IN": ["myself", "my", "me", "meself", "mysel"]}},
         {"LOWER": "self", "OP": "?"}],
        [_alts(WET_VERBS), {"LOWER": {"IN": ["my", "the", "a"]}}, _alts(GARMENTS)],
        [{"LOWER": {"IN": ["incontinent", "incontinence", "incontinance", "incontinant"]}}],
        [{"LOWER": {"IN": ["urinary", "bladder", "urine"]}}, {"LOWER": "retention"}],
        # "my pee won't come out", "my bladder doesn't empty": the negation is the sign
        *[[bb, {"LOWER": {"IN": ["just", "really", "still", "properly"]}, "OP": "?"},
           *neg, _alts(BB_FAILS)]
          for neg in (
              [{"LOWER": {"IN": ["wo", "will", "does", "do", "did", "is", "would"]}},
               {"LOWER": {"IN": ["n't", "nt", "not"]}}],
              [{"LOWER": {"IN": ["wont", "doesnt", "isnt", "didnt"]}}])],
    ]
    p["leg_weakness"] = [
        [{"LOWER": {"IN": ["foot", "drop"]}}, {"LOWER": {"IN": ["drop", "foot", "dropped"]}}],
        [{"LOWER": "dropped"}, {"LOWER": "foot"}],
        *_cant({"LOWER": {"IN": ["lift", "move", "raise", "control", "bend", "stand"]}},
               {"LOWER": {"IN": ["my", "the", "either", "both", "one", "a"]}, "OP": "?"},
               {"LOWER": {"IN": ["left", "right", "of", "my"]}, "OP": "{0,2}"},
               _alts(["leg", "legs", "foot", "feet", "toes", "toe", "ankle", "ankles"])),
    ]
    p["injury_severe"] = [
        [_alts(VEHICLES), {"IS_PUNCT": False, "OP": "?"}, _alts(CRASHES)],
        [{"LOWER": {"IN": ["crashed", "wrecked", "rolled", "totaled", "totalled", "flipped",
                           "crash"]}},
         {"LOWER": {"IN": ["my", "the", "a", "our", "his", "her", "into"]}, "OP": "?"},
         _alts(VEHICLES, ["bike", "motorbike", "wall", "tree"])],
        [{"LOWER": {"IN": ["hit", "struck", "knocked", "run", "ran", "mowed", "rammed",
                           "rear-ended", "sideswiped"]}},
         {"LOWER": {"IN": ["by", "down", "over", "off", "of", "into"]}},
         {"LOWER": {"IN": ["a", "the", "my", "an", "by"]}, "OP": "?"},
         _alts(VEHICLES, ["bike", "motorbike", "bicycle", "cyclist"])],
        [{"LOWER": {"IN": ["rta", "mva", "rtc", "mvc", "mvas", "rtas"]}}],
        [_alts(FALL_VERBS), {"LOWER": {"IN": ["off", "from", "out", "down", "through"]}},
         {"LOWER": {"IN": ["of", "off", "from"]}, "OP": "?"},
         {"IS_PUNCT": False, "OP": "{0,2}"}, _alts(HEIGHTS)],
        [_alts(FALL_VERBS), {"LIKE_NUM": True}, _alts(HEIGHT_UNITS)],
        [{"LOWER": {"IN": ["fall", "fell", "falling"]}}, {"LOWER": "from"},
         {"LOWER": "a", "OP": "?"}, {"LOWER": {"IN": ["height", "heights"]}}],
    ]
    # Pair parts (not complete mentions on their own).
    p["NUMB"] = [
        [_alts(NUMB_WORDS)],
        [{"LOWER": "pins"}, {"LOWER": {"IN": ["and", "&", "n"]}}, {"LOWER": "needles"}],
        [{"LOWER": {"IN": ["no", "lost", "lose", "losing", "loss", "reduced", "less", "lack",
                           "altered", "zero", "little"]}},
         {"LOWER": {"IN": ["of", "any"]}, "OP": "?"},
         {"LOWER": {"IN": ["feeling", "sensation", "feelings", "sensations", "sense"]}}],
        *_cant({"LOWER": {"IN": ["feel", "sense"]}}),
        [{"LOWER": {"IN": ["feel", "feels", "felt"]}}, {"LOWER": "nothing"}],
        [{"LOWER": {"IN": ["went", "gone", "go", "goes", "going"]}},
         {"LOWER": {"IN": ["dead", "asleep"]}}],
        [{"LOWER": "asleep"}],
    ]
    p["RADIATE"] = [
        [_alts(["sciatica", "shooting", "radiating", "electric", "sciatic"])],
    ]
    p["SADDLE_LOC"] = [
        [_alts(SADDLE_LOCS)],
        [{"LOWER": "inner"}, {"LOWER": {"IN": ["thigh", "thighs", "leg", "legs"]}}],
        [{"LOWER": "private"}, {"LOWER": {"IN": ["parts", "area", "areas", "bits"]}}],
        [{"LOWER": "between"}, {"LOWER": {"IN": ["my", "the"]}}, {"LOWER": "legs"}],
        [{"LOWER": "back"}, {"LOWER": "passage"}],
        [{"LOWER": "down"}, {"LOWER": {"IN": ["below", "there"]}}],
        [{"LOWER": "toilet"}, {"LOWER": {"IN": ["paper", "tissue", "roll"]}}],
    ]
    p["BOTH_LOC"] = [
        [{"LOWER": {"IN": ["both", "two", "2"]}},
         {"LOWER": {"IN": ["my", "of", "the"]}, "OP": "{0,2}"},
         _alts(["leg", "legs", "foot", "feet", "thigh", "thighs", "calf", "calves", "sides",
                "ankles", "knees", "shins", "limbs"])],
        [_alts(LEG_PLURALS)],
        [{"LOWER": "left"}, {"LOWER": {"IN": ["and", "&"]}}, {"LOWER": "right"}],
        [{"LOWER": "right"}, {"LOWER": {"IN": ["and", "&"]}}, {"LOWER": "left"}],
        [{"LOWER": "bilateral"}],
    ]
    p["LEG_LOC"] = [[_alts(LEG_WORDS)]]
    p["WEAK"] = [
        [_alts(WEAK_WORDS)],
        [{"LOWER": {"IN": ["give", "gave", "giving", "gives", "given"]}},
         {"LOWER": {"IN": ["way", "out"]}}],
        # "my legs went from under me"
        [{"LOWER": {"IN": ["go", "went", "going", "goes", "gone"]}},
         {"LOWER": {"IN": ["out", "from"]}, "OP": "{1,2}"},
         {"LOWER": {"IN": ["under", "beneath"]}}],
        [{"LOWER": {"IN": ["no", "lost", "losing", "lose", "less", "zero"]}},
         {"LOWER": {"IN": ["strength", "power", "control"]}}],
        [{"LOWER": {"IN": ["wo", "would", "will"]}}, {"LOWER": {"IN": ["n't", "nt", "not"]}},
         {"LOWER": {"IN": ["hold", "support", "work", "carry"]}}],
    ]
    p["BB_TERM"] = [[bb], [_alts(["peeing", "urinating", "pooing", "weeing"])]]
    p["BB_PROBLEM"] = [[_alts(BB_PROBLEMS)]]
    return p


# "10 years ago", "years back", "as a child": an old injury, not this episode's cause
OLD_INJURY_RE = re.compile(
    r"\b(?:years?|yrs?|decades?)\s+(?:ago|back|before)\b|\bas a (?:kid|child|teenager|teen)\b"
    r"|\bwhen i was (?:young|little|a kid|a child|a teenager)\b|\bin (?:19|20)\d\d\b",
    re.IGNORECASE,
)

# (label A, label B, max tokens between them, sign)
PAIRS: Tuple[Tuple[str, str, int, str], ...] = (
    ("NUMB", "SADDLE_LOC", 8, "saddle_numbness"),
    ("NUMB", "BOTH_LOC", 8, "both_legs"),
    ("RADIATE", "BOTH_LOC", 6, "both_legs"),
    ("WEAK", "LEG_LOC", 6, "leg_weakness"),
    ("BB_PROBLEM", "BB_TERM", 4, "bladder_bowel_change"),
    ("NUMB", "BB_TERM", 6, "bladder_bowel_change"),
)


@dataclass
class Mention:
    """One candidate sign: its tokens, and why it was kept or dropped."""

    sign: str
    tokens: FrozenSet[int]
    negated: bool = False
    question: bool = False
    hypothetical: bool = False
    old_injury: bool = False
    cues: Tuple[int, ...] = field(default=())

    @property
    def counts(self) -> bool:
        return not (self.negated or self.question or self.hypothetical or self.old_injury)


class RedFlagMatcher:
    """Find emergency signs (slot names) stated, not negated, in a user message."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        for label, patterns in _build_patterns().items():
            self.matcher.add(label, patterns)

    # -- public API -------------------------------------------------------------------

    def find(self, doc_or_text: Union[Doc, str]) -> List[str]:
        """Sorted unique sign names that the message states and does not negate."""
        doc = self._doc(doc_or_text)
        return sorted({m.sign for m in self.mentions(doc) if m.counts})

    def mentions(self, doc_or_text: Union[Doc, str]) -> List[Mention]:
        """Every candidate mention with its negation/question flags (for debugging/logs)."""
        doc = self._doc(doc_or_text)
        if len(doc) == 0:
            return []
        seg = self._segments(doc)
        spans: Dict[str, List[Tuple[int, int]]] = {}
        for match_id, start, end in self.matcher(doc):
            spans.setdefault(self.nlp.vocab.strings[match_id], []).append((start, end))
        # "inner thighs" / "between my legs" are the saddle area, not the legs
        saddle = [set(range(s0, s1)) for s0, s1 in spans.get("SADDLE_LOC", [])]
        for label in ("BOTH_LOC", "LEG_LOC"):
            spans[label] = [(s0, s1) for s0, s1 in spans.get(label, [])
                            if not any(set(range(s0, s1)) & z for z in saddle)]
        # negation words that belong to a pattern ("can't control", "no feeling")
        internal: Set[int] = set()
        for label, found in spans.items():
            for start, end in found:
                internal.update(i for i in range(start, end) if self._is_cue(doc[i]))

        candidates: List[Mention] = []
        for sign in SIGNS:
            for start, end in spans.get(sign, []):
                if len({seg[i] for i in range(start, end)}) == 1:
                    candidates.append(Mention(sign, frozenset(range(start, end))))
        for a_label, b_label, gap, sign in PAIRS:
            for a0, a1 in spans.get(a_label, []):
                for b0, b1 in spans.get(b_label, []):
                    if not self._paired(doc, seg, (a0, a1), (b0, b1), gap, a_label, b_label):
                        continue
                    candidates.append(
                        Mention(sign, frozenset(range(a0, a1)) | frozenset(range(b0, b1))))

        for m in candidates:
            cues = self.negation_cues(doc, m.tokens, seg, internal)
            m.cues = tuple(cues)
            m.negated = bool(cues)
            m.question = self._is_question_about(doc, m.tokens)
            m.hypothetical = self._is_hypothetical(doc, m.tokens)
            m.old_injury = m.sign == "injury_severe" and bool(
                OLD_INJURY_RE.search(doc[min(m.tokens)].sent.text))
        return candidates

    def negated(self, doc_or_text: Union[Doc, str], tokens: Iterable[int]) -> bool:
        """Whether the tokens (indices into the doc) are negated in their clause."""
        doc = self._doc(doc_or_text)
        return bool(self.negation_cues(doc, frozenset(tokens), self._segments(doc), set()))

    # -- pieces -----------------------------------------------------------------------

    def _doc(self, doc_or_text: Union[Doc, str]) -> Doc:
        if isinstance(doc_or_text, Doc):
            return doc_or_text
        return self.nlp(doc_or_text or "")

    @staticmethod
    def _is_cue(token: Token) -> bool:
        return token.lower_ in NEG_CUES

    def _paired(self, doc: Doc, seg: List[int], a: Tuple[int, int], b: Tuple[int, int],
                gap: int, a_label: str, b_label: str) -> bool:
        (a0, a1), (b0, b1) = a, b
        if a0 < b1 and b0 < a1:  # overlapping spans are one word, not a pair
            return False
        if len({seg[i] for i in list(range(a0, a1)) + list(range(b0, b1))}) != 1:
            return False
        if max(b0 - a1, a0 - b1) > gap:
            return False
        if b_label in ("BOTH_LOC", "LEG_LOC"):
            loc = doc[b0:b1]
            # "one of my legs", "either leg": a single leg, not both
            before = doc[max(0, b0 - 3):b0]
            if b_label == "BOTH_LOC" and any(t.lower_ in ("one", "either", "1") for t in before) \
                    and loc[0].lower_ not in ("both", "two", "2"):
                return False
            # "between my legs" is the saddle area, not the legs
            if any(t.lower_ == "between" for t in doc[max(0, b0 - 2):b0]):
                return False
            # "the bottom of my foot" is not the buttocks (handled for SADDLE_LOC too)
        if b_label == "SADDLE_LOC" and doc[b0].lower_ == "bottom" and b1 < len(doc) \
                and doc[b1].lower_ == "of":
            return False
        if b_label == "SADDLE_LOC" and doc[b0].lower_ in ("wipe", "wiping", "wiped") \
                and doc[a0].lower_ in ("dead", "deadness"):
            return False
        return True

    def _segments(self, doc: Doc) -> List[int]:
        """Clause number of every token (see module docstring, rule 2)."""
        seg = [0] * len(doc)
        current = 0
        for sent in doc.sents:
            current += 1
            for tok in sent:
                low = tok.lower_
                if tok.i > sent.start and (
                    low in HARD_BREAK_PUNCT or low in HARD_BREAK_WORDS
                    or (low in SOFT_BREAK_PUNCT and self._starts_clause(doc, tok, sent.end))
                    or (low in CLAUSE_CC and self._cc_starts_clause(doc, tok, sent.end))
                ):
                    current += 1
                seg[tok.i] = current
        return seg

    @staticmethod
    def _finite_clause_head(tok: Token) -> bool:
        if any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in tok.children):
            return True
        return tok.pos_ in ("VERB", "AUX") and tok.tag_ in ("VBD", "VBP", "VBZ", "MD")

    def _starts_clause(self, doc: Doc, punct: Token, end: int) -> bool:
        nxt = punct.i + 1
        if nxt >= end:
            return False
        if doc[nxt].lower_ in SUBJECT_PRONOUNS or doc[nxt].lower_ in CLAUSE_CC \
                or doc[nxt].lower_ in HARD_BREAK_WORDS or doc[nxt].lower_ in CONTRAST_AFTER_COMMA:
            return True
        for t in doc[nxt:end]:
            if t.lower_ in HARD_BREAK_PUNCT or t.lower_ in SOFT_BREAK_PUNCT:
                break
            if t.dep_ in ("nsubj", "nsubjpass", "expl") and t.head.i >= nxt:
                return True
        return False

    def _cc_starts_clause(self, doc: Doc, cc: Token, end: int) -> bool:
        nxt = cc.i + 1
        if nxt >= end:
            return False
        if doc[nxt].lower_ in SUBJECT_PRONOUNS:
            return True
        conjs = [t for t in doc[nxt:end] if t.dep_ == "conj" and t.head == cc.head]
        if conjs and self._finite_clause_head(conjs[0]):
            return True
        # "... and my leg gave way": a subject followed by its own finite verb
        for t in doc[nxt:min(end, nxt + 4)]:
            if t.dep_ in ("nsubj", "nsubjpass") and t.head.i > t.i \
                    and self._finite_clause_head(t.head):
                return True
        return False

    def negation_cues(self, doc: Doc, tokens: FrozenSet[int], seg: List[int],
                      internal: Set[int]) -> List[int]:
        """Indices of negation cues that negate the mention (rule 3 of the docstring)."""
        if not tokens:
            return []
        first = min(tokens)
        segment = seg[first]
        found = []
        for cue in doc:
            if not self._is_cue(cue) or cue.i in internal or cue.i in tokens:
                continue
            if seg[cue.i] != segment:
                continue
            if cue.head.lower_ in UNCERTAIN_HEADS or cue.head.lemma_ in UNCERTAIN_HEADS:
                continue
            # "my legs are weak, not numb": a later cue past punctuation corrects
            # something else, whatever the parser attached it to
            if cue.i > max(tokens) and any(t.is_punct for t in doc[max(tokens):cue.i]):
                continue
            if self._governs(cue, [doc[i] for i in tokens]):
                found.append(cue.i)
            elif 0 < first - cue.i <= 3 and not self._uncertain_after(doc, cue):
                found.append(cue.i)
        return found

    @staticmethod
    def _uncertain_after(doc: Doc, cue: Token) -> bool:
        """ "not sure", "don't know": uncertainty words right after the cue."""
        nxt = doc[cue.i + 1:cue.i + 3]
        return any(t.lower_ in UNCERTAIN_HEADS for t in nxt)

    def _governs(self, cue: Token, targets: Sequence[Token]) -> bool:
        """True if the cue's governor dominates a target without crossing a clause edge."""
        if cue.lower_ in ("without", "none", "nothing", "deny", "denies", "denied",
                          "denying", "nobody"):
            governor = cue
        else:
            governor = cue.head
        for target in targets:
            t = target
            steps = 0
            while steps < 40:
                if t == governor:
                    return True
                if t.dep_ in BLOCKING_DEPS and not (
                        t.dep_ == "ccomp" and t.head.lemma_ in NEG_RAISERS):
                    break
                if t.dep_ == "conj" and self._finite_clause_head(t):
                    break
                if t.head == t:
                    break
                t = t.head
                steps += 1
        return False

    @staticmethod
    def _is_question_about(doc: Doc, tokens: FrozenSet[int]) -> bool:
        """A question that has no first-person word: asking about a sign, not stating it."""
        sent = doc[min(tokens)].sent
        words = [t for t in sent if not t.is_punct]
        if not words:
            return False
        ends_q = any(t.text == "?" for t in sent[-2:]) or sent.text.rstrip().endswith("?")
        starts_q = words[0].lower_ in QUESTION_STARTS and not (
            len(words) > 1 and words[1].lower_ in ("n't", "nt", "not"))
        if not (ends_q or starts_q):
            return False
        return not any(t.lower_ in FIRST_PERSON for t in sent)

    @staticmethod
    def _is_hypothetical(doc: Doc, tokens: FrozenSet[int]) -> bool:
        """Inside a conditional "if/unless" clause ("what if I lose control of my bladder")."""
        for i in tokens:
            t = doc[i]
            steps = 0
            while steps < 40:
                marks = {c.lower_ for c in t.children if c.dep_ == "mark"}
                if marks & {"if", "unless", "incase"} and t.dep_ == "advcl" \
                        and t.head.lemma_ not in UNCERTAIN_HEADS:
                    return True
                if t.head == t:
                    break
                t = t.head
                steps += 1
        return False
