"""Stores for the insights' tests: a fresh SQLite file, or a fresh database on one PostgreSQL
started for the session (scripts/cluster.py, on a free loopback port; about 1 s)."""
import json
import shutil
import tempfile
import uuid
from pathlib import Path

import psycopg2
import pytest

from insights import store
from scripts.cluster import LOOPBACK, Cluster
from scripts.stack import free_port


@pytest.fixture(scope="session")
def postgres():
    folder = Path(tempfile.mkdtemp(prefix="insights-pg-"))
    folder.chmod(0o755)  # PostgreSQL runs as `postgres` when the tests run as root
    server = Cluster(folder, postgres_port=free_port(), env={})
    server.start_postgres()
    yield server
    server.stop_postgres()
    shutil.rmtree(folder, ignore_errors=True)


def _admin(server: Cluster):
    passwords = json.loads((server.data_dir / "postgres-secrets.json").read_text())
    connection = psycopg2.connect(host=LOOPBACK, port=server.postgres_port, user="postgres",
                                  password=passwords["postgres"], dbname="postgres")
    connection.autocommit = True
    return connection


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """An empty analytics store's URL, on each kind of database the project uses."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/data/analytics.db"
        return
    server = request.getfixturevalue("postgres")
    name = "insights_" + uuid.uuid4().hex[:12]
    admin = _admin(server)
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name} OWNER rasa")
    yield server.analytics_url.rsplit("/", 1)[0] + "/" + name
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def engine(store_url):
    engine = store.engine_for(store_url)
    yield engine
    engine.dispose()
