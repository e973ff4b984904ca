"""Plain Rasa commands in the project folder, with no environment variables of the project's:
`rasa run actions` and `rasa run` start with endpoints.yml's defaults (action server on
localhost:5055, SQLite conversations in var/) and answer a REST message; `rasa shell` answers in
a terminal, with the protections of every channel (a message over the length limit is refused).

They run in a copy of the folder's Rasa files, so that var/ of the checkout is not touched, on
the default ports, which must be free (nothing else in the suite uses them)."""
import os
import pty
import select
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from scripts.stack import MODEL, ROOT

RASA = str(Path(sys.executable).parent / "rasa")
PROJECT_FILES = ["actions", "common", "rasa_server", "config.yml", "domain.yml",
                 "endpoints.yml", "credentials.yml", "clinic.yml"]


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args} exited with {proc.returncode}"
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {timeout:.0f} s")


@pytest.fixture
def folder(tmp_path) -> Path:
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "models").mkdir()
    os.symlink(MODEL, tmp_path / "models" / MODEL.name)
    return tmp_path


@pytest.fixture
def env(tmp_path_factory):
    busy = [port for port in (5005, 5055) if port_in_use(port)]
    assert not busy, f"ports {busy} are in use: stop what listens there (`make run`?)"
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path_factory.mktemp("home")),
            "TERM": "xterm",
            "RASA_TELEMETRY_ENABLED": "false"}  # Rasa's own setting: no telemetry from tests


def stop(procs) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(60)


def test_rasa_run_actions_and_rasa_run_answer_a_rest_message(folder, env):
    logs = folder / "logs"
    logs.mkdir()
    procs = []
    try:
        for name, args in (("actions", ["run", "actions"]), ("rasa", ["run"])):
            with open(logs / f"{name}.log", "wb") as log:
                procs.append(subprocess.Popen([RASA, *args], cwd=folder, env=env, stdout=log,
                                              stderr=subprocess.STDOUT,
                                              start_new_session=True))
        wait_until_up("http://127.0.0.1:5055/health", procs[0])
        wait_until_up("http://127.0.0.1:5005/", procs[1])
        answer = requests.post("http://127.0.0.1:5005/webhooks/rest/webhook",
                               json={"sender": "plain-rasa", "message": "What is an MRI?"},
                               timeout=120).json()
        texts = " ".join(message.get("text", "") for message in answer)
        assert "not a diagnosis" in texts and "magnet" in texts, texts
        assert (folder / "var" / "conversations.db").stat().st_size > 0
    finally:
        stop(procs)


class Terminal:
    """A program on a pseudo-terminal: what it printed, and typing into it."""

    def __init__(self, args, cwd: Path, env: dict) -> None:
        self.master, terminal = pty.openpty()
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=terminal, stdout=terminal,
                                     stderr=terminal, start_new_session=True)
        os.close(terminal)
        self.output = ""

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert time.monotonic() < deadline, f"no {text!r} in: {self.output[-2000:]}"
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                self.output += os.read(self.master, 65536).decode("utf-8", "replace")
        return self.output

    def type(self, line: str) -> None:
        self.output = ""
        os.write(self.master, (line + "\r").encode())


def test_rasa_shell_answers_with_the_protections_of_every_channel(folder, env):
    with open(folder / "actions.log", "wb") as log:
        actions = subprocess.Popen([RASA, "run", "actions"], cwd=folder, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    shell = Terminal([RASA, "shell"], folder, env)
    try:
        shell.wait_for("Your input", timeout=300)
        shell.type("x" * 2500)
        shell.wait_for("too long for me", timeout=60)
        shell.wait_for("Your input", timeout=60)
        shell.type("What is an MRI?")
        assert "not a diagnosis" in shell.wait_for("magnet", timeout=120)
        shell.wait_for("Your input", timeout=60)
        shell.type("/stop")
        shell.proc.wait(60)
    finally:
        stop([shell.proc, actions])
