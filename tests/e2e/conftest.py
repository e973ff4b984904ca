"""The real action server and Rasa server, started once per test run as `make run` does."""
import pytest

from servers import API_TOKEN, Chat, free_port
from stack import MODEL, Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    if not MODEL.exists():
        pytest.fail("no trained model: run the suite with `make test`")
    run_dir = tmp_path_factory.mktemp("stack")
    servers = Stack(free_port(), free_port(), log_dir=run_dir / "logs",
                    env={"DATA_DIR": str(run_dir / "data"), "RASA_API_TOKEN": API_TOKEN})
    servers.start()
    yield servers
    servers.stop()


@pytest.fixture
def chat(stack) -> Chat:
    return Chat(stack)
