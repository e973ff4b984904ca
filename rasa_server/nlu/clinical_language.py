"""NLU component: the clinical language layer (rasa_server/nlu/language) in Rasa's pipeline.

Runs once per message on SpacyNLP's doc, after the classifiers, and writes what it read into the
parse data, where the action server reads it (it never parses the text again):

- one entity per table fact: entity = the slot, value true, role = the assertion (affirmed,
  uncertain, negated, historical, hypothetical, asked), group = whose it is (patient,
  someone_else, someone_else_now);
- `reply` entities: the yes/no/not-sure words and requests to explain (value), with the one
  question they answer as role when they answer only that one ("both");
- `number_answer` entities: the reply read as a duration in weeks (role pain_duration_weeks)
  and as an age in years (role age), when it can be, helped by the DATE and CARDINAL entities
  spaCy's recogniser put on SpacyNLP's doc (SpacyEntityExtractor would run the whole spaCy
  pipeline a second time for them: SpacyNLP keeps the case here, `case_sensitive: true`).

Then the intent, by the decision table: facts that make an emergency row (the patient's, or
someone else's now) make it `red_flag`; DIET's `red_flag` stays unless the layer's reading
explains the whole message (every clause is about a fact or an idiom it found, and no sign in it
counts: denied, past, hypothetical, asked about, someone else's), or DIET is less sure of it
than `diet_red_flag_alone` (config.yml): DIET alone adds recall where the layer cannot read
(unknown words, euphemisms), and there it is sure. The recall net's emergency likelihood
(emergency_net.py) counts the same way, at `net_emergency_alone`; a question about a sign
is `ask_about_sign`; other symptoms the patient states (not asks about), which DIET took for a
question, are `describe_symptoms`.
"""
from dataclasses import dataclass
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
    ENTITY_ATTRIBUTE_GROUP,
    ENTITY_ATTRIBUTE_ROLE,
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

from common.parse_data import NUMBER_ANSWER, REPLY
from rasa_server.nlu.emergency_net import LIKELIHOOD
from rasa_server.nlu.language import numbers
from rasa_server.nlu.language.layer import ClinicalLanguage, Reading
from rasa_server.nlu.language.verdict import Verdict, verdict

RED_FLAG = "red_flag"
ASK_ABOUT_SIGN = "ask_about_sign"
DESCRIBE_SYMPTOMS = "describe_symptoms"
# DIET's guesses that a stated symptom overrides: the message is a statement, not a question.
NOT_A_STATEMENT = ("faq", "bot_challenge", "help", "greet", "nlu_fallback", "out_of_scope")
NUMBER_ENTITIES = ("DATE", "CARDINAL")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False, model_from="SpacyNLP"
)
class ClinicalLanguageReader(GraphComponent):
    """Needs SpacyNLP's doc, as typed (its DATE/CARDINAL entities are read for the numbers),
    and the intents of the classifiers before it."""

    @classmethod
    def required_components(cls) -> List[type]:
        from rasa.nlu.utils.spacy_utils import SpacyNLP

        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The lowest confidence at which DIET's red_flag stands against a reading of the layer
        # that found no emergency (chosen on the development corpus: every emergency only DIET
        # recalled there had 0.95 or more; its false alarms mostly had less).
        # The same for the recall net's emergency likelihood (rasa_server/nlu/emergency_net.py;
        # chosen on development batches it had not learned from).
        return {"diet_red_flag_alone": 0.9, "net_emergency_alone": 0.75}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(float(config["diet_red_flag_alone"]), float(config["net_emergency_alone"]))

    def __init__(self, diet_red_flag_alone: float, net_emergency_alone: float) -> None:
        self._layer: Optional[ClinicalLanguage] = None
        self._alone = Alone(diet_red_flag_alone, net_emergency_alone)

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        if self._layer is None:
            self._layer = ClinicalLanguage(model.model)
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue  # a button's payload names its intent
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None or doc.text != text:
                doc = model.model(text)  # SpacyNLP lowercases unless `case_sensitive: true`
            reading = self._layer.read(doc)
            spacy_numbers = [e.text for e in doc.ents if e.label_ in NUMBER_ENTITIES]
            message.set(ENTITIES, (message.get(ENTITIES) or []) + _entities(
                reading, text, spacy_numbers), add_to_output=True)
            _set_intent(message, verdict(reading.facts, reading.explains_all), reading,
                        self._alone)
        return messages


def _entities(reading: Reading, text: Text, spacy_numbers: List[Text]
              ) -> List[Dict[Text, Any]]:
    found = [_entity(f.slot, True, f.start_char, f.end_char, f.assertion, f.experiencer)
             for f in reading.facts]
    found += [_entity(REPLY, w.kind, w.start_char, w.end_char, w.question)
              for w in reading.answers]
    for slot, value in (("pain_duration_weeks", numbers.parse_duration_weeks(text, spacy_numbers)),
                        ("age", numbers.parse_age(text, spacy_numbers))):
        if value is not None:
            found.append(_entity(NUMBER_ANSWER, value, 0, len(text), slot))
    return found


def _entity(entity: Text, value: Any, start: int, end: int, role: Optional[Text] = None,
            group: Optional[Text] = None) -> Dict[Text, Any]:
    result = {ENTITY_ATTRIBUTE_TYPE: entity, ENTITY_ATTRIBUTE_VALUE: value,
              ENTITY_ATTRIBUTE_START: start, ENTITY_ATTRIBUTE_END: end,
              EXTRACTOR: ClinicalLanguageReader.__name__}
    if role:
        result[ENTITY_ATTRIBUTE_ROLE] = role
    if group:
        result[ENTITY_ATTRIBUTE_GROUP] = group
    return result


@dataclass(frozen=True)
class Alone:
    """How sure DIET's red_flag, or the recall net, must be to stand against a reading that
    found no emergency (and does not explain the message)."""
    diet_red_flag: float
    net_emergency: float

    def stands(self, message: Message) -> bool:
        return (_intent(message) == RED_FLAG and _confidence(message) >= self.diet_red_flag) \
            or (message.get(LIKELIHOOD) or 0.0) >= self.net_emergency


def _set_intent(message: Message, reading_verdict: Verdict, reading: Reading,
                alone: Alone) -> None:
    if reading_verdict.emergency:
        _rank_first(message, RED_FLAG)
        return
    if not reading_verdict.explained and alone.stands(message):
        if _intent(message) != RED_FLAG:
            _rank_first(message, RED_FLAG)
    elif _intent(message) == RED_FLAG:
        _drop(message, RED_FLAG)
    stated = any(f.counts for f in reading.facts)
    if reading_verdict.asked_signs and not stated:
        _rank_first(message, ASK_ABOUT_SIGN)
    elif stated and not reading.asks and _intent(message) in NOT_A_STATEMENT:
        _rank_first(message, DESCRIBE_SYMPTOMS)


def _intent(message: Message) -> Optional[Text]:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)


def _confidence(message: Message) -> float:
    return float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)


def _drop(message: Message, name: Text) -> None:
    """The classifier's next guess, with its own confidence (the FallbackClassifier judges it)."""
    ranking = [i for i in message.get(INTENT_RANKING_KEY) or []
               if i.get(INTENT_NAME_KEY) != name]
    if ranking:
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def _rank_first(message: Message, name: Text) -> None:
    """The layer's reading outranks the classifier: halving the others keeps their order but
    keeps the FallbackClassifier from calling a confident classifier's guess a tie."""
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [intent] + [
        {**i, PREDICTED_CONFIDENCE_KEY: i.get(PREDICTED_CONFIDENCE_KEY, 0.0) / 2}
        for i in message.get(INTENT_RANKING_KEY) or [] if i.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
