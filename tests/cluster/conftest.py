"""Real PostgreSQL, Redis, nginx, two Rasa servers and an action server on free loopback ports,
started once for the cluster tests by scripts/cluster.py and torn down after them."""
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import redis

from scripts.cluster import LOCK_STORE, Cluster
from scripts.stack import MACHINE_VARIABLES, MODEL, free_port
from tests.cluster.cluster_client import API_TOKEN, ORIGIN
from tests.e2e.servers import EMERGENCY_NUMBER


def run_dir(name: str) -> Path:
    """Under /tmp and reachable by the users PostgreSQL and nginx's workers run as."""
    path = Path(tempfile.mkdtemp(prefix=f"rasa-{name}-"))
    path.chmod(0o755)
    return path


class RedisServer:
    """One redis-server that a test can stop and start again on the same port."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.port = cluster.redis_port

    def start(self) -> None:
        self.cluster.start_redis()

    def stop(self) -> None:
        self.cluster.stop_redis()

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)


@pytest.fixture
def redis_server():
    path = run_dir("redis")
    server = RedisServer(Cluster(path, redis_port=free_port()))
    server.start()
    yield server
    server.stop()
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")  # stopped as soon as test_cluster.py is done
def cluster(request):
    if not MODEL.exists():
        pytest.fail("no trained model: run the suite with `make test`")
    path = run_dir("cluster")
    servers = Cluster(path / "data", port=free_port(), rasa_ports=[free_port(), free_port()],
                      action_port=free_port(), action_ports=[free_port()],
                      postgres_port=free_port(), redis_port=free_port(),
                      env={**_clean_env(), "RASA_API_TOKEN": API_TOKEN,
                           "ALLOWED_ORIGINS": ORIGIN},
                      # CLUSTER_TEST_LOCK_STORE=redis runs the tests on Rasa's own Redis lock
                      # store, to see what the cluster's (rasa_server/stores/lock_store.py) fixes
                      lock_store=os.environ.get("CLUSTER_TEST_LOCK_STORE") or LOCK_STORE)
    servers.start()
    failed_before = request.session.testsfailed
    yield servers
    servers.stop()
    if request.session.testsfailed > failed_before:
        print(f"\nThe cluster's logs are kept in {servers.logs}")
    else:
        shutil.rmtree(path, ignore_errors=True)


def _clean_env():
    """Only the machine's variables of the developer's environment, and the settings the tests
    depend on: the test's own stores and "911", whatever the developer's shell has set."""
    return {**{key: os.environ[key] for key in MACHINE_VARIABLES if key in os.environ},
            "EMERGENCY_NUMBER": EMERGENCY_NUMBER}
