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
MODEL_FILE = "emergency_net.skops"
HASHED_FEATURES = 2 ** 18
# What the saved model may hold besides the types skops trusts by default
TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]


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
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        examples = development_examples(Path(self._config["corpus"]))
        if not examples:
            raise ValueError(f"EmergencyNet: no development messages in {self._config['corpus']}")
        texts, emergencies = zip(*examples, strict=True)

        def weighted(**ngrams: Any) -> Any:
            """Hashed n-gram counts (no vocabulary to keep in memory), tf-idf weighted."""
            return make_pipeline(HashingVectorizer(n_features=HASHED_FEATURES, norm=None,
                                                   alternate_sign=False, **ngrams),
                                 TfidfTransformer(sublinear_tf=True))

        self._model = make_pipeline(
            make_union(weighted(ngram_range=(1, 2)),
                       weighted(analyzer="char_wb", ngram_range=(2, 5))),
            LogisticRegression(C=float(self._config["regularisation"]), solver="liblinear",
                               class_weight="balanced", random_state=42))
        self._model.fit(list(texts), list(emergencies))
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / MODEL_FILE)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "EmergencyNet":
        import skops.io as sio

        with model_storage.read_from(resource) as directory:
            path = directory / MODEL_FILE
            untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
            if untrusted:
                raise ValueError(f"EmergencyNet: the saved model holds types it should not: "
                                 f"{sorted(untrusted)}")
            model = sio.load(path, trusted=TRUSTED_TYPES)
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
