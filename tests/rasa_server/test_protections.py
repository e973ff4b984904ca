"""The protections replace only the Rasa functions they were checked against, and check action
server responses as strictly as Rasa does (rasa_server/protections.py)."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.utils.endpoints import EndpointConfig

from rasa_server import protections


@pytest.fixture(scope="module")
def action():
    protections.install()
    return RemoteAction("action_session_start", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_the_pinned_rasa_has_the_functions_that_are_replaced():
    protections.check_pinned(protections.replaced_functions())


def test_another_version_of_a_replaced_function_stops_the_start():
    async def handle_message(self, message):  # what a newer Rasa might have
        return await self.processor.handle_message(message)

    functions = {**protections.replaced_functions(),
                 "rasa.core.agent.Agent.handle_message": handle_message}
    with pytest.raises(protections.UnexpectedRasaVersion, match="Agent.handle_message"):
        protections.check_pinned(functions)


def test_another_rasa_version_stops_the_start(monkeypatch):
    monkeypatch.setattr(protections.rasa, "__version__", "3.6.22")
    with pytest.raises(protections.UnexpectedRasaVersion, match="3.6.21.*3.6.22"):
        protections.check_pinned(protections.replaced_functions())


def test_installing_again_changes_nothing(action):
    handle, validate = Agent.handle_message, RemoteAction._validate_action_result
    protections.install()
    assert Agent.handle_message is handle is protections.guarded_handle_message
    assert RemoteAction._validate_action_result is validate


def test_a_well_formed_response_passes(action):
    response = {"events": [{"event": "session_started"}, {"event": "action",
                                                          "name": "action_listen"}],
                "responses": [{"text": "Hello"}]}
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", [
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": 1}]},  # a slot event without the slot's name
])
def test_a_malformed_response_is_rejected_with_rasas_error(action, response):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)
