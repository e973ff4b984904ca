"""Starts the action server and the Rasa server together, as `make run`/`make shell` and the
tests do, and stops both cleanly.

Configuration (environment, defaults in brackets): RASA_PORT [5005], ACTION_PORT [5055],
RASA_API_TOKEN [unset: HTTP API off], DATA_DIR [./var] (the SQLite conversation store lives
there), TRACKER_STORE_URL
[sqlite:///$DATA_DIR/conversations.db], LOCK_STORE_TYPE [in_memory], REDIS_HOST/PORT/DB,
EMERGENCY_NUMBER [911], BOOKING_URL, BOOKING_PHONE; for `make run`, WIDGET_PORT [8080] (the demo
page with the website widget, widget/serve.py).
Privacy and hardening (README, "Data and privacy"): ALLOWED_ORIGINS [http://localhost:$WIDGET_PORT
http://127.0.0.1:$WIDGET_PORT] (CORS and socket.io origins), ACTION_TIMEOUT_SECONDS [10],
RETENTION_DAYS [30] (`make run` purges at start and every PURGE_EVERY_HOURS [6]), LOG_LEVEL
[INFO]; input limits in rasa_server/limits.py. DATA_DIR is created private (0700) and both servers
create files with umask 077. The action server listens on SANIC_HOST [127.0.0.1] only.
"""
import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from common.settings import ROOT, allowed_origins, data_dir, tracker_store_url, widget_port
from scripts.credentials import credentials

VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "assistant.tar.gz"
LOGGING_CONFIG = ROOT / "logging.yml"  # no message text or slot values at INFO and above


# What a server needs of the machine's environment when it does not inherit the caller's (tests:
# every test sets the environment it depends on).
MACHINE_VARIABLES = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "TZ")


def stack_env(rasa_port: int, action_port: int, overrides: Optional[Dict[str, str]] = None,
              inherit: bool = True) -> Dict[str, str]:
    """The environment both servers run with: the caller's (or, with inherit=False, only
    MACHINE_VARIABLES of it), then `overrides`, then the documented defaults."""
    env = dict(os.environ) if inherit else {
        key: os.environ[key] for key in MACHINE_VARIABLES if key in os.environ}
    env.update(overrides or {})
    folder = data_dir(env)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    env["DATA_DIR"] = str(folder)
    defaults = {
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_STORE_URL": tracker_store_url(env),
        "LOCK_STORE_TYPE": "in_memory",
        "ALLOWED_ORIGINS": " ".join(allowed_origins(env)),
        "SANIC_HOST": "127.0.0.1",  # the action server's interface: only Rasa calls it
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    for key, value in defaults.items():
        if not env.get(key):
            env[key] = value
    return env


def endpoints(env: Dict[str, str]) -> Dict:
    """endpoints.yml with the stores and the action server of `env` (ACTION_ENDPOINT_URL,
    ACTION_TIMEOUT_SECONDS, TRACKER_STORE_URL, LOCK_STORE_TYPE, REDIS_HOST/PORT/DB)."""
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = env["ACTION_ENDPOINT_URL"]
    if env.get("ACTION_TIMEOUT_SECONDS"):
        config["action_endpoint"]["timeout"] = float(env["ACTION_TIMEOUT_SECONDS"])
    config["tracker_store"]["url"] = env["TRACKER_STORE_URL"]
    config["lock_store"] = {"type": env["LOCK_STORE_TYPE"]}
    if env["LOCK_STORE_TYPE"] != "in_memory":
        config["lock_store"].update(url=env.get("REDIS_HOST") or "127.0.0.1",
                                    port=int(env.get("REDIS_PORT") or 6379),
                                    db=int(env.get("REDIS_DB") or 0))
    return config


def free_port() -> int:
    """A loopback port nobody listens on now (for servers started on free ports)."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{proc.args[0]} exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


class Stack:
    """One action server and one Rasa server on the given ports."""

    def __init__(self, rasa_port: int = 5005, action_port: int = 5055,
                 env: Optional[Dict[str, str]] = None, log_dir: Optional[Path] = None,
                 model: Path = MODEL, inherit: bool = True) -> None:
        self.rasa_port, self.action_port = rasa_port, action_port
        self.env = stack_env(rasa_port, action_port, env, inherit)
        self.log_dir = log_dir
        self.model = model
        self.procs: List[subprocess.Popen] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _spawn(self, name: str, args: List[str]) -> subprocess.Popen:
        out = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=out,
                                stderr=subprocess.STDOUT if out else None,
                                start_new_session=True, umask=0o077)
        self.procs.append(proc)
        return proc

    def start_actions(self, timeout: float = 120) -> subprocess.Popen:
        proc = self._spawn("actions", [str(VENV_BIN / "rasa"), "run", "actions", "--actions",
                                       "actions", "--port", str(self.action_port),
                                       "--logging-config-file", str(LOGGING_CONFIG)])
        wait_http(f"http://127.0.0.1:{self.action_port}/health", timeout, proc)
        return proc

    def write_endpoints(self) -> Path:
        """This stack's endpoints file (`endpoints`), in DATA_DIR, readable by its owner only."""
        path = Path(self.env["DATA_DIR"]) / f"endpoints-{self.rasa_port}.yml"
        path.touch(mode=0o600)
        path.write_text(yaml.safe_dump(endpoints(self.env)))
        return path

    def rasa_args(self) -> List[str]:
        return ["--model", str(self.model), "--endpoints", str(self.write_endpoints()),
                "--logging-config-file", str(LOGGING_CONFIG)]

    def api_args(self) -> List[str]:
        """The HTTP API is on only with a token, and then every route needs it."""
        token = self.env.get("RASA_API_TOKEN")
        return ["--enable-api", "--auth-token", token] if token else []

    def origins(self) -> List[str]:
        """The origins allowed by CORS and socket.io (ALLOWED_ORIGINS; `*` for any)."""
        return allowed_origins(self.env)

    def write_credentials(self) -> Path:
        """Channel secrets come from the environment; the file is readable by its owner only."""
        path = Path(self.env["DATA_DIR"]) / f"credentials-{self.rasa_port}.yml"
        path.touch(mode=0o600)
        path.write_text(yaml.safe_dump(credentials(self.env)))
        return path

    def start_rasa(self, timeout: float = 300) -> subprocess.Popen:
        proc = self._spawn("rasa", [str(VENV_BIN / "rasa"), "run", *self.rasa_args(),
                                    *self.api_args(),
                                    "--credentials", str(self.write_credentials()),
                                    "--port", str(self.rasa_port), "--cors", *self.origins()])
        wait_http(self.url + "/", timeout, proc)
        return proc

    def start_widget(self, port: Optional[int] = None, timeout: float = 30) -> subprocess.Popen:
        """The demo clinic page with the website widget (widget/serve.py), talking to this
        stack's Rasa server; port: WIDGET_PORT [8080]."""
        self.widget_port = port or widget_port(self.env)
        proc = self._spawn("widget", [sys.executable, str(ROOT / "widget" / "serve.py"),
                                      "--port", str(self.widget_port),
                                      "--rasa-port", str(self.rasa_port)])
        wait_http(f"http://127.0.0.1:{self.widget_port}/", timeout, proc)
        return proc

    def start(self) -> "Stack":
        try:
            self.start_actions()
            self.start_rasa()
        except BaseException:
            self.stop()
            raise
        return self

    def stop_process(self, proc: subprocess.Popen, timeout: float = 20) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop(self) -> None:
        for proc in reversed(list(self.procs)):
            self.stop_process(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["run", "shell"])
    mode = parser.parse_args().mode
    stack = Stack(int(os.environ.get("RASA_PORT", 5005)), int(os.environ.get("ACTION_PORT", 5055)))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from scripts.purge import start_retention
    start_retention(stack.env)  # deletes conversations older than RETENTION_DAYS
    try:
        print(f"Starting the action server on port {stack.action_port} ...", flush=True)
        stack.start_actions()
        if mode == "shell":
            return subprocess.call([str(VENV_BIN / "rasa"), "shell", *stack.rasa_args(),
                                    "--port", str(stack.rasa_port)], cwd=ROOT, env=stack.env)
        print(f"Starting the Rasa server on port {stack.rasa_port} ...", flush=True)
        stack.start_rasa()
        stack.start_widget()
        print(f"""
The assistant is ready.
  Website:  http://localhost:{stack.widget_port} (a demo clinic page with the chat widget)
  REST:     curl -s -X POST {stack.url}/webhooks/rest/webhook \\
              -H 'Content-Type: application/json' \\
              -d '{{"sender": "me", "message": "What is an MRI?"}}'
  socketio: {stack.url}/socket.io (the website widget's channel)
Press Ctrl-C to stop the servers.
""", flush=True)
        while all(p.poll() is None for p in stack.procs):
            time.sleep(0.5)
        print("A server stopped unexpectedly; stopping the others.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        print("Stopping ...", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
