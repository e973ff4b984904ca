"""Cluster.restart_rasa returns once nginx sends requests to the restarted server again. nginx
keeps a server that refused a connection out of rotation for fail_timeout (3 s,
deploy/nginx.conf.template): right after a quick restart every request still went to the other
server (tests/cluster/test_cluster.py's "rejoin" messages did, once). nginx is real; the Rasa
and action servers are tests/scripts/fake_rasa.py (they start at once, faster than fail_timeout:
the case that failed), and the stores are not needed."""
import shutil
import tempfile
import urllib.request
from pathlib import Path

import pytest

from scripts import stack
from scripts.cluster import Cluster
from tests.scripts.processes import fake_venv, free_ports


def upstreams(cluster: Cluster) -> list:
    """The Rasa servers nginx tried for one request, the one that answered last."""
    with urllib.request.urlopen(cluster.url + "/", timeout=10) as response:
        return [a.strip() for a in response.headers["X-Upstream"].split(",")]


@pytest.fixture
def cluster(monkeypatch):
    path = Path(tempfile.mkdtemp(prefix="rasa-rejoin-"))
    path.chmod(0o755)  # nginx's workers run as nobody
    monkeypatch.setattr(stack, "VENV_BIN", fake_venv(path / "venv").parent)
    nginx, nginx_actions, action, rasa_1, rasa_2 = free_ports(5)
    servers = Cluster(path / "data", port=nginx, rasa_ports=[rasa_1, rasa_2],
                      action_port=nginx_actions, action_ports=[action],
                      env={"PATH": "/usr/bin:/bin", "TRACKER_STORE_URL": "sqlite://",
                           "REDIS_HOST": "127.0.0.1"})  # stores "elsewhere": none started
    servers.start()
    yield servers
    servers.stop()
    shutil.rmtree(path, ignore_errors=True)


def test_a_restarted_server_is_in_rotation_when_restart_returns(cluster):
    restarted = f"127.0.0.1:{cluster.rasa_ports[1]}"
    cluster.kill_rasa(1)
    tried = [upstreams(cluster) for _ in range(2)]  # round-robin: one goes to the dead server
    assert any(restarted in t[:-1] for t in tried), tried  # refused, answered by the other
    assert all(t[-1] != restarted for t in tried), tried
    cluster.restart_rasa(1)
    answered = [upstreams(cluster)[-1] for _ in range(2)]
    assert restarted in answered, answered
