"""Deployment settings the clinic configures through environment variables (README), with their
defaults: each default is defined here once. What the assistant says about the clinic is its
profile, clinic.yml (common/clinic.py)."""
from pathlib import Path
from typing import List, Mapping

ROOT = Path(__file__).resolve().parent.parent

WIDGET_PORT = 8080
INSIGHTS_PORT = 8090
RETENTION_DAYS = 30


def widget_port(env: Mapping[str, str]) -> int:
    return int(env.get("WIDGET_PORT") or WIDGET_PORT)


def insights_port(env: Mapping[str, str]) -> int:
    return int(env.get("INSIGHTS_PORT") or INSIGHTS_PORT)


def allowed_origins(env: Mapping[str, str]) -> List[str]:
    """ALLOWED_ORIGINS (comma- or space-separated; `*` for any), by default the demo page's own
    origin, http://localhost:$WIDGET_PORT or the same with 127.0.0.1."""
    value = (env.get("ALLOWED_ORIGINS") or "").replace(",", " ").split()
    if value:
        return value
    port = widget_port(env)
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


def data_dir(env: Mapping[str, str]) -> Path:
    """DATA_DIR [var/ in the project]: the SQLite conversation store and the servers' files."""
    return Path(env.get("DATA_DIR") or ROOT / "var").resolve()


def tracker_store_url(env: Mapping[str, str]) -> str:
    """TRACKER_STORE_URL [the SQLite file conversations.db in DATA_DIR]."""
    return env.get("TRACKER_STORE_URL") or f"sqlite:///{data_dir(env)}/conversations.db"


def analytics_url(env: Mapping[str, str]) -> str:
    """ANALYTICS_URL [the SQLite file analytics.db in DATA_DIR]: the store Rasa's SQL event broker
    writes to and the insights read (insights/store.py)."""
    return env.get("ANALYTICS_URL") or f"sqlite:///{data_dir(env)}/analytics.db"
