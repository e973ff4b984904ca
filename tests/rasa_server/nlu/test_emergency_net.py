"""The recall net (rasa_server/nlu/emergency_net.py): trained, saved and loaded through Rasa's
own model storage, on a corpus folder of real files."""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_server.nlu.emergency_net import LIKELIHOOD, EmergencyNet, development_examples

DEVELOPMENT = """part: development
statements:
""" + "".join(f"- text: {text}\n  category: typo\n  expect: {expect}\n" for text, expect in [
    ("I wet myself without knowing", "emergency"),
    ("wet myself and didn't feel it", "emergency"),
    ("I've wet the bed without noticing", "emergency"),
    ("my bum is numb", "emergency"),
    ("my back is stiff after gardening", "not_emergency"),
    ("stiff back from the sofa", "not_emergency"),
    ("sore back after the gym", "not_emergency"),
    ("is a numb bum serious?", "sign_question"),
]) + """answers:
- question: bladder_bowel_change
  text: yes I leaked
  expect: yes
- question: leg_numbness
  text: yes down the left leg
  expect: yes
- question: recent_injury
  text: no but I can't feel my bum
  expect: no
  also: {saddle_numbness: yes}
"""


@pytest.fixture
def folder(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "dev.yml").write_text(DEVELOPMENT)
    (corpus / "held.yml").write_text(DEVELOPMENT.replace("development", "held-out"))
    return corpus


def storage(tmp_path):
    (tmp_path / "storage").mkdir()
    return LocalModelStorage(tmp_path / "storage")


def config(folder):
    return {**EmergencyNet.get_default_config(), "corpus": str(folder)}


def test_the_net_learns_from_the_development_part_and_writes_a_likelihood(folder, tmp_path):
    stored, resource = storage(tmp_path), Resource("emergency_net")
    context = ExecutionContext(GraphSchema({}), "test")
    EmergencyNet.create(config(folder), stored, resource, context).train(TrainingData())
    net = EmergencyNet.load(config(folder), stored, resource, context)
    wet, stiff, button = (Message({"text": t}) for t in (
        "wet myself again without knowing", "stiff back after the sofa", "/affirm"))
    net.process([wet, stiff, button])
    assert wet.get(LIKELIHOOD) > 0.5 > stiff.get(LIKELIHOOD)
    assert LIKELIHOOD in wet.as_dict(only_output_properties=True), "in the parse data"
    assert button.get(LIKELIHOOD) is None, "a button's payload names its intent"


def test_a_reply_is_learned_from_only_where_its_words_alone_say_what_it_is(folder):
    """"yes I leaked" is an emergency only as a reply to the bladder question, which the net
    never sees: left out. A reply whose own words state an emergency, or none, is kept."""
    replies = dict(development_examples(folder)[-2:])
    assert replies == {"yes down the left leg": False, "no but I can't feel my bum": True}
    assert "yes I leaked" not in dict(development_examples(folder))


def test_a_changed_development_part_retrains_the_net_and_the_held_out_part_never(folder):
    before = EmergencyNet.fingerprint_addon(config(folder))
    (folder / "held.yml").write_text(DEVELOPMENT.replace("development", "held-out")
                                     .replace("not_emergency", "emergency"))
    assert EmergencyNet.fingerprint_addon(config(folder)) == before
    (folder / "dev.yml").write_text(DEVELOPMENT.replace("gardening", "digging"))
    assert EmergencyNet.fingerprint_addon(config(folder)) != before


def test_a_corpus_without_a_development_part_is_refused(folder, tmp_path):
    (folder / "dev.yml").unlink()
    net = EmergencyNet.create(config(folder), storage(tmp_path),
                              Resource("emergency_net"), ExecutionContext(GraphSchema({}), "t"))
    with pytest.raises(ValueError, match="no development messages"):
        net.train(TrainingData())
