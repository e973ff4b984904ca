"""A fault of medspaCy 1.3.1's ConText, mended in this one place (tests/rasa_server/nlu/language).

`tuple_overlaps(a, b)` misses the case where b strictly contains a. ConText uses it to decide
whether a TERMINATE cue ("but") limits a modifier, so a modifier whose scope a rule's
`max_scope` had shortened (and that lies inside the terminator's sentence-long scope) was never
cut: in "no fever at all but sweats at night", "no" went on to deny "sweats".

(medspaCy's other known fault, a ConText-wide `max_scope` window that crosses sentence ends,
does not arise here: context_rules.yml sets `max_scope` per rule, which medspaCy applies within
the sentence; tests/rasa_server/nlu/language checks that.)

`install()` checks that the function it replaces is medspaCy 1.3.1's, and refuses to run
against another version, whose behaviour the mend was not checked against.
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


def install() -> None:
    """Mends the fault, once; raises if medspaCy is not the version it was checked on."""
    if getattr(ConTextModifier, _INSTALLED, False):
        return
    if medspacy.__version__ != MEDSPACY_VERSION:
        raise RuntimeError(
            f"rasa_server/nlu/language/medspacy_fixes.py mends medspaCy {MEDSPACY_VERSION}, but "
            f"{medspacy.__version__} is installed: check the fault it describes against "
            "that version, then update MEDSPACY_VERSION")
    for module in (context_modifier, context_graph):
        if module.tuple_overlaps.__module__ != "medspacy.util":
            raise RuntimeError(f"{module.__name__}.tuple_overlaps is not medspaCy's own")
        module.tuple_overlaps = overlaps
    setattr(ConTextModifier, _INSTALLED, True)
