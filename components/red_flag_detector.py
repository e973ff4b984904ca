"""NLU safety net: spaCy rules that mark a message stating an emergency sign as `red_flag`.

DIET learns the `red_flag` intent from examples; these rules catch what it misses, so that either
one catching a sign is enough. A message whose only mentions of signs are negated ("no bladder
problems") is not a red flag even if DIET says so (see actions/red_flags.py).
"""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from spacy.tokens import Doc

from actions.red_flags import RedFlagMatcher

RED_FLAG_INTENT = "red_flag"
RED_FLAG_ENTITY = "red_flag_sign"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False, model_from="SpacyNLP"
)
class RedFlagDetector(GraphComponent):
    """Reuses the doc SpacyNLP made for the message. SpacyNLP loads its pipeline with the
    dependency parser disabled; negation handling needs it, so it is run on that doc here,
    which is much cheaper than a second full pipeline."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()

    def __init__(self) -> None:
        self._matcher: Optional[RedFlagMatcher] = None

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        if self._matcher is None:
            self._matcher = RedFlagMatcher(model.model)
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue
            mentions = self._matcher.mentions(self._parsed_doc(message, model))
            signs = sorted({m.sign for m in mentions if m.counts})
            if signs:
                self._mark_red_flag(message, signs)
            elif any(m.negated for m in mentions):
                self._unmark_red_flag(message)
        return messages

    @staticmethod
    def _parsed_doc(message: Message, model: SpacyModel) -> Doc:
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None or doc.text != message.get(TEXT):
            # SpacyNLP lowercases unless `case_sensitive: true`; the rules want the words as typed.
            doc = model.model(message.get(TEXT))
        if not doc.has_annotation("DEP"):
            model.model.get_pipe("parser")(doc)
        return doc

    @staticmethod
    def _unmark_red_flag(message: Message) -> None:
        """Only negated mentions ("my legs aren't weak"): not an emergency, whatever DIET says."""
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) != RED_FLAG_INTENT:
            return
        ranking = [i for i in message.get(INTENT_RANKING_KEY) or []
                   if i.get(INTENT_NAME_KEY) != RED_FLAG_INTENT]
        if ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    @staticmethod
    def _mark_red_flag(message: Message, signs: List[str]) -> None:
        intent = {INTENT_NAME_KEY: RED_FLAG_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        # The rule outranks the classifier: halving the others keeps their order but stops the
        # FallbackClassifier from calling a confident classifier's "deny" a tie with the rule.
        ranking = [intent] + [
            {**i, PREDICTED_CONFIDENCE_KEY: i.get(PREDICTED_CONFIDENCE_KEY, 0.0) / 2}
            for i in message.get(INTENT_RANKING_KEY) or []
            if i.get(INTENT_NAME_KEY) != RED_FLAG_INTENT
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        known = {
            e.get(ENTITY_ATTRIBUTE_VALUE)
            for e in message.get(ENTITIES) or []
            if e.get(ENTITY_ATTRIBUTE_TYPE) == RED_FLAG_ENTITY
        }
        added = [
            {
                ENTITY_ATTRIBUTE_TYPE: RED_FLAG_ENTITY,
                ENTITY_ATTRIBUTE_VALUE: sign,
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(message.get(TEXT)),
                EXTRACTOR: RedFlagDetector.__name__,
            }
            for sign in signs
            if sign not in known
        ]
        message.set(ENTITIES, (message.get(ENTITIES) or []) + added, add_to_output=True)
