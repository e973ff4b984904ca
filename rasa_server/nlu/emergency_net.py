"""NLU component: a recall net for emergencies told in words the clinical language layer does not
know (new slang, long stories, a sign said in a roundabout way).

A small classifier (logistic regression on word and character n-grams) learns from the
development part of the labelled corpus (tests/language/: every file whose `part:` is
`development`, never the held-out part) how likely a statement is an emergency, and writes
that likelihood into the message (`emergency_likelihood`, also in the parse data). It decides
nothing itself: ClinicalLanguageReader lets it stand only where the layer's own reading found no
emergency and does not explain the message, as it does for DIET's red_flag.

Its training data are outside Rasa's: `fingerprint_addon` makes a changed corpus retrain it.
"""
import hashlib
from pathlib import Path
from typing import Any, Dict, List, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from common import corpus
from common.parse_data import NO

LIKELIHOOD = "emergency_likelihood"
MODEL_FILE = "emergency_net.npz"
HASHED_FEATURES = 2 ** 18


def development_examples(folder: Path) -> List[Tuple[Text, bool]]:
    """(text, whether it states an emergency) of the development messages: statements, and
    replies to a question. A reply that makes an emergency only through its question's yes
    ("since yesterday", "dunno" to the bladder question) is left out: the net never sees the
    question, and the same words answer other questions with no emergency."""
    labelled = corpus.load(folder, corpus.DEVELOPMENT)
    replies = [(item["text"], corpus.states_emergency(item, item["question"]),
                corpus.states_emergency({**item, "expect": NO}, item["question"]))
               for item in labelled["answers"]]
    return [(item["text"], corpus.states_emergency(item)) for item in labelled["statements"]] + [
        (text, emergency) for text, emergency, without_its_yes in replies
        if without_its_yes or not emergency]


def _pipeline(regularisation: float) -> Any:
    """Hashed word (1-2) and character (2-5) n-grams, each tf-idf weighted (no vocabulary to
    keep in memory), into a logistic regression."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline

    def weighted(**ngrams: Any) -> Pipeline:
        return make_pipeline(HashingVectorizer(n_features=HASHED_FEATURES, norm=None,
                                               alternate_sign=False, **ngrams),
                             TfidfTransformer(sublinear_tf=True))

    return make_pipeline(
        FeatureUnion([("words", weighted(ngram_range=(1, 2))),
                      ("characters", weighted(analyzer="char_wb", ngram_range=(2, 5)))]),
        LogisticRegression(C=regularisation, solver="liblinear", class_weight="balanced",
                           random_state=42))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EmergencyNet(GraphComponent):
    """Needs only the text; trained on the corpus named by `corpus` (relative to the project)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Inverse regularisation strength: chosen on development batches the net had not
        # learned from (README, "The recall net").
        return {"corpus": "tests/language", "regularisation": 2.0}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Text:
        examples = development_examples(Path(config["corpus"]))
        return hashlib.sha256(repr(examples).encode("utf-8")).hexdigest()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EmergencyNet":
        return cls(config, model_storage, resource)

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, model: Any = None) -> None:
        self._config, self._storage, self._resource = config, model_storage, resource
        self._model = model

    def train(self, training_data: TrainingData) -> Resource:
        """Learns from the corpus, not from Rasa's NLU data (its examples are not labelled
        emergency or not)."""
        examples = development_examples(Path(self._config["corpus"]))
        if not examples:
            raise ValueError(f"EmergencyNet: no development messages in {self._config['corpus']}")
        texts, emergencies = zip(*examples, strict=True)
        self._model = _pipeline(float(self._config["regularisation"]))
        self._model.fit(list(texts), list(emergencies))
        self.persist()
        return self._resource

    def persist(self) -> None:
        """The learned numbers only, as plain arrays (no pickle): each n-gram weighting's idf
        and the regression's coefficients."""
        union, regression = self._model[0], self._model[-1]
        with self._storage.write_to(self._resource) as directory:
            np.savez(directory / MODEL_FILE, coef=regression.coef_,
                     intercept=regression.intercept_, classes=regression.classes_,
                     **{name: weighting[-1].idf_ for name, weighting in union.transformer_list})

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "EmergencyNet":
        model = _pipeline(float(config["regularisation"]))
        union, regression = model[0], model[-1]
        with model_storage.read_from(resource) as directory:
            with np.load(directory / MODEL_FILE, allow_pickle=False) as saved:
                for name, weighting in union.transformer_list:
                    weighting[-1].idf_ = saved[name]
                    weighting[-1].n_features_in_ = HASHED_FEATURES
                regression.coef_, regression.intercept_ = saved["coef"], saved["intercept"]
                regression.classes_ = saved["classes"]
                regression.n_features_in_ = regression.coef_.shape[1]
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        texts = [m.get(TEXT) or "" for m in messages]
        readable = [i for i, text in enumerate(texts) if text and not text.startswith("/")]
        if self._model is None or not readable:
            return messages
        likelihoods = self._model.predict_proba([texts[i] for i in readable])[:, 1]
        for i, likelihood in zip(readable, likelihoods, strict=True):
            messages[i].set(LIKELIHOOD, round(float(likelihood), 4), add_to_output=True)
        return messages
