"""Two faults of medspaCy 1.3.1's ConText, mended in this one place
(tests/rasa_server/nlu/language).

`tuple_overlaps(a, b)` misses the case where b strictly contains a. ConText uses it to decide
whether a TERMINATE cue ("but") limits a modifier, so a modifier whose scope a rule's
`max_scope` had shortened (and that lies inside the terminator's sentence-long scope) was never
cut: in "no fever at all but sweats at night", "no" went on to deny "sweats".

`ConTextModifier.limit_scope` lets a cue end the scope of an earlier cue of its own category
(so that the nearer of "no evidence of CHF, no pneumonia" modifies "pneumonia"), but it cuts
also where the later cue does not reach on over what it cuts: one that looks the other way or
reaches less far. In "I'm terrified this will end up like my cousin's cauda equina", "will"
(forward, 8 words) cut "terrified" (forward, 12), and "like my" (backward) cut "will", so no
cue reached "cauda equina". A cue of the same category now cuts only what it covers itself.

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


def _covered(lost: range, other: ConTextModifier) -> bool:
    """Whether another cue's own words and scope take in every token of `lost`."""
    words, scope = other.modifier_span, other.scope_span
    return all(words[0] <= i < words[1] or scope[0] <= i < scope[1] for i in lost)


def limit_scope(self: ConTextModifier, other: ConTextModifier) -> bool:
    """medspaCy's, except that a cue of the same category (neither a terminator nor a category
    that ends this cue) cuts this cue's scope only as far as it covers what it cuts."""
    start, end = self._scope_start, self._scope_end
    changed = _medspacy_limit_scope(self, other)
    # medspaCy cuts only for a terminator, a category that ends this cue, or its own category
    same_category = other.direction.upper() != "TERMINATE" and \
        other.category.upper() not in self.rule.terminated_by
    if changed and same_category and not (_covered(range(self._scope_end, end), other)
                                          and _covered(range(start, self._scope_start), other)):
        self._scope_start, self._scope_end = start, end
        return False
    return changed


# medspaCy's own limit_scope, taken when this module is imported, before install() replaces it
_medspacy_limit_scope = ConTextModifier.limit_scope


def install() -> None:
    """Mends the faults, once; raises if medspaCy is not the version it was checked on."""
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
    if ConTextModifier.limit_scope.__module__ != "medspacy.context.context_modifier":
        raise RuntimeError("ConTextModifier.limit_scope is not medspaCy's own")
    ConTextModifier.limit_scope = limit_scope
    setattr(ConTextModifier, _INSTALLED, True)
