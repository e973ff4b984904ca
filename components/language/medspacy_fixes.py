"""Two faults of medspaCy 1.3.1's ConText, mended in this one place (tests/components/language).

1. `tuple_overlaps(a, b)` misses the case where b strictly contains a. ConText uses it to decide
   whether a TERMINATE cue ("but") limits a modifier, so a modifier whose scope `max_scope` had
   shortened (and that lies inside the terminator's sentence-long scope) was never cut: in
   "no fever but sweats at night", "no" went on to deny "sweats".
2. A `max_scope` window is counted in tokens and crosses sentence ends, so "No. My legs are weak"
   read "no" as denying the next sentence. Scopes are clipped to the modifier's sentence.

`install()` checks that the functions it wraps are medspaCy 1.3.1's, and refuses to run
against another version, whose behaviour these mends were not checked against.
"""
from typing import Tuple

import medspacy
from medspacy.context import context_graph, context_modifier
from medspacy.context.context_modifier import ConTextModifier

MEDSPACY_VERSION = "1.3.1"
_INSTALLED = "_clinic_fixes_installed"


def overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    """Whether two (start, end) token ranges share a token, containment included."""
    return a[0] < b[1] and b[0] < a[1]


def _init_within_sentence(original):
    def __init__(self, rule, start, end, doc, *args, **kwargs):  # noqa: N807 (wraps __init__)
        original(self, rule, start, end, doc, *args, **kwargs)
        if doc is not None and doc.has_annotation("SENT_START"):
            sentence = doc[start].sent
            self._scope_start = max(self._scope_start, sentence.start)
            self._scope_end = min(self._scope_end, sentence.end)
    __init__.__wrapped__ = original
    return __init__


def install() -> None:
    """Mends both faults, once; raises if medspaCy is not the version they were checked on."""
    if getattr(ConTextModifier, _INSTALLED, False):
        return
    if medspacy.__version__ != MEDSPACY_VERSION:
        raise RuntimeError(
            f"components/language/medspacy_fixes.py mends medspaCy {MEDSPACY_VERSION}, but "
            f"{medspacy.__version__} is installed: check the two faults it describes against "
            "that version, then update MEDSPACY_VERSION")
    for module in (context_modifier, context_graph):
        if module.tuple_overlaps.__module__ != "medspacy.util":
            raise RuntimeError(f"{module.__name__}.tuple_overlaps is not medspaCy's own")
        module.tuple_overlaps = overlaps
    ConTextModifier.__init__ = _init_within_sentence(ConTextModifier.__init__)
    setattr(ConTextModifier, _INSTALLED, True)
