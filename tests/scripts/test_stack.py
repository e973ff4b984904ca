"""How scripts/stack.py configures the servers."""
import os

import yaml

from scripts.stack import ROOT, Stack


def test_no_make_target_starts_an_open_api(tmp_path):
    makefile = (ROOT / "Makefile").read_text()
    assert "--enable-api" not in makefile and "rasa run" not in makefile
    assert "--enable-api" not in (ROOT / "endpoints.yml").read_text()
    data = str(tmp_path)
    assert Stack(1, 2, env={"RASA_API_TOKEN": "", "DATA_DIR": data}).api_args() == []
    assert Stack(1, 2, env={"RASA_API_TOKEN": "t", "DATA_DIR": data}).api_args() == [
        "--enable-api", "--auth-token", "t"]


def test_default_origin_is_the_demo_page(tmp_path):
    env = Stack(1, 2, env={"ALLOWED_ORIGINS": "", "WIDGET_PORT": "", "DATA_DIR": str(tmp_path)}).env
    assert "http://localhost:8080" in env["ALLOWED_ORIGINS"].split()
    assert "*" not in env["ALLOWED_ORIGINS"]


def test_servers_started_without_inheriting_get_only_what_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENCY_NUMBER", "112")
    monkeypatch.setenv("ALLOWED_ORIGINS", "*")
    env = Stack(1, 2, env={"DATA_DIR": str(tmp_path)}, inherit=False).env
    assert "EMERGENCY_NUMBER" not in env and "*" not in env["ALLOWED_ORIGINS"]
    assert env["PATH"] == os.environ["PATH"]
    assert Stack(1, 2, env={"DATA_DIR": str(tmp_path)}).env["EMERGENCY_NUMBER"] == "112"


def test_each_stack_writes_its_own_endpoints_file(tmp_path):
    stack = Stack(7001, 7002, env={"DATA_DIR": str(tmp_path), "LOCK_STORE_TYPE": "redis",
                                   "REDIS_PORT": "6390"}, inherit=False)
    config = yaml.safe_load(stack.write_endpoints().read_text())
    assert config["action_endpoint"] == {"url": "http://127.0.0.1:7002/webhook", "timeout": 10,
                                         "retry_after": 5}
    assert config["tracker_store"]["url"] == f"sqlite:///{tmp_path}/conversations.db"
    assert config["lock_store"] == {"type": "redis", "url": "127.0.0.1", "port": 6390, "db": 0}
