"""Action server responses are checked as strictly with the validator built once as by Rasa."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from channels.action_endpoint import check_responses_with_one_validator


@pytest.fixture(scope="module")
def action():
    check_responses_with_one_validator()
    return RemoteAction("action_session_start", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_installing_again_changes_nothing(action):
    installed = RemoteAction._validate_action_result
    check_responses_with_one_validator()
    assert RemoteAction._validate_action_result is installed


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
