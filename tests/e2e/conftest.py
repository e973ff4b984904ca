"""A patient's conversation with the real servers (the session's `stack`, tests/conftest.py)."""
import pytest

from tests.e2e.servers import Chat


@pytest.fixture
def chat(stack) -> Chat:
    return Chat(stack)
