"""The insights page as a real process (`python -m insights.service`) on a free port, for the
service's and the browser's tests, with a store holding the recorded events."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Optional

import requests

from common.settings import ROOT, analytics_url
from insights import store
from scripts.stack import MACHINE_VARIABLES, free_port
from tests.insights.stores import publish, recorded

TOKEN = "insights-test-token"


def service_env(data_dir: Path, **env: str) -> Dict[str, str]:
    """Only the machine's variables of the caller's environment, then the test's."""
    return {**{key: os.environ[key] for key in MACHINE_VARIABLES if key in os.environ},
            "DATA_DIR": str(data_dir), "INSIGHTS_TOKEN": TOKEN, **env}


def recorded_store(data_dir: Path) -> None:
    """DATA_DIR's analytics store with the recorded events, as the broker wrote them (its folder
    created as the servers' broker does, rasa_server/stores/event_broker.py)."""
    url = analytics_url({"DATA_DIR": str(data_dir)})
    store.engine_for(url).dispose()
    publish(url, recorded())


class Service:
    def __init__(self, data_dir: Path, log: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = service_env(data_dir, INSIGHTS_PORT=str(self.port), **env)
        self.log = log
        self.proc: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 30) -> "Service":
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "insights.service"], cwd=ROOT,
                                         env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service stopped: {self.log.read_text()}")
            try:
                requests.get(self.url + "/login", timeout=2)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise TimeoutError(f"the service did not answer in {timeout} s")

    def stop(self) -> int:
        """SIGTERM to its process group, as scripts/stack.py stops it; its exit status."""
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise

    def login(self, session: requests.Session, name: str = "Ann Staff",
              token: str = TOKEN) -> requests.Response:
        return session.post(self.url + "/login", data={"name": name, "token": token},
                            allow_redirects=False, timeout=30)
