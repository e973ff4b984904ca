import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "tests" / "e2e")]

from servers import API_TOKEN, free_port  # noqa: E402
from stack import MODEL, Stack  # noqa: E402


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    """The real action server and Rasa server, started once per test run as `make run` does
    (shared by tests/e2e and tests/browser). WIDGET_PORT is where tests/browser serves the demo
    page, so that the page's origin is an allowed one."""
    if not MODEL.exists():
        pytest.fail("no trained model: run the suite with `make test`")
    run_dir = tmp_path_factory.mktemp("stack")
    servers = Stack(free_port(), free_port(), log_dir=run_dir / "logs",
                    env={"DATA_DIR": str(run_dir / "data"), "RASA_API_TOKEN": API_TOKEN,
                         "WIDGET_PORT": str(free_port())})
    servers.start()
    yield servers
    servers.stop()
