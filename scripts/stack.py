"""Starts the action server and the Rasa server together, as `make run`/`make shell` and the
tests do, and stops both cleanly.

Configuration (environment, defaults in brackets): RASA_PORT [5005], ACTION_PORT [5055],
RASA_API_TOKEN [unset: HTTP API off], DATA_DIR [./var] (the SQLite conversation store lives
there), TRACKER_STORE_URL [sqlite:///$DATA_DIR/conversations.db], LOCK_STORE_TYPE [in_memory],
REDIS_HOST/PORT/DB, CLINIC_PROFILE [clinic.yml] (the clinic's name, numbers, hours, answers:
common/clinic.py), with EMERGENCY_NUMBER, BOOKING_URL, BOOKING_PHONE overriding single values of
it; for `make run`, WIDGET_PORT [8080] (the demo page with the website widget, widget/serve.py),
and with INSIGHTS_TOKEN set the clinic's insights page on INSIGHTS_PORT [8090]
(insights/service.py), reading ANALYTICS_URL [sqlite:///$DATA_DIR/analytics.db], where Rasa's
event broker writes.
Privacy and hardening (README, "Data and privacy"): ALLOWED_ORIGINS [http://localhost:$WIDGET_PORT
http://127.0.0.1:$WIDGET_PORT] (CORS and socket.io origins), ACTION_TIMEOUT_SECONDS [10],
RETENTION_DAYS [30] (`make run` purges at start and every PURGE_EVERY_HOURS [6]), LOG_LEVEL
[INFO]; input limits in rasa_server/limits.py. DATA_DIR is created private (0700) and both servers
create files with umask 077. The action server listens on SANIC_HOST [127.0.0.1] only.
"""
import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import yaml
from sqlalchemy.engine import url as sa_url

from common.settings import (
    ROOT,
    allowed_origins,
    analytics_url,
    data_dir,
    insights_port,
    tracker_store_url,
    widget_port,
)
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
        "ANALYTICS_URL": analytics_url(env),
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
    """endpoints.yml with the stores, the event broker and the action server of `env`
    (ACTION_ENDPOINT_URL, ACTION_TIMEOUT_SECONDS, TRACKER_STORE_URL, ANALYTICS_URL,
    LOCK_STORE_TYPE, REDIS_HOST/PORT/DB)."""
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = env["ACTION_ENDPOINT_URL"]
    if env.get("ACTION_TIMEOUT_SECONDS"):
        config["action_endpoint"]["timeout"] = float(env["ACTION_TIMEOUT_SECONDS"])
    config["tracker_store"]["url"] = env["TRACKER_STORE_URL"]
    config["event_broker"] = {"type": config["event_broker"]["type"],
                              **sql_broker_settings(env["ANALYTICS_URL"])}
    config["lock_store"] = {"type": env["LOCK_STORE_TYPE"]}
    if env["LOCK_STORE_TYPE"] != "in_memory":
        config["lock_store"].update(url=env.get("REDIS_HOST") or "127.0.0.1",
                                    port=int(env.get("REDIS_PORT") or 6379),
                                    db=int(env.get("REDIS_DB") or 0))
    return config


def sql_broker_settings(url: str) -> Dict:
    """The settings of Rasa's SQL event broker for an SQLAlchemy URL (sqlite:///path or
    postgresql://user:password@host:port/db)."""
    parsed = sa_url.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"dialect": "sqlite", "db": parsed.database}
    settings = {"dialect": parsed.get_backend_name(), "url": parsed.host,
                "port": parsed.port, "db": parsed.database, "username": parsed.username,
                "password": parsed.password}
    return {key: value for key, value in settings.items() if value is not None}


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


# -- stopping --------------------------------------------------------------------------------
# `make run`, `make shell` and `make run-cluster` stop on SIGINT, SIGTERM or SIGHUP, once or
# several times, sent to make or to its whole process group. The servers run in sessions of their
# own (start_new_session): a signal to the group never reaches them, only the clean-up does.

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_SECONDS = 20  # a server that has not exited this long after SIGTERM gets SIGKILL
KILL_SECONDS = 10  # and one that outlives SIGKILL this long is reported


class StopRequested(BaseException):
    """The first stop signal, raised in the main thread inside `StopSignals.interruptible()`."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopSignals:
    """SIGINT, SIGTERM and SIGHUP for a program that must clean up before it exits.

    Inside `interruptible()` (starting, serving) the first of them raises StopRequested; every
    signal after that, or outside, is only recorded: once the clean-up has begun nothing
    interrupts it. (A SIGTERM to make's process group reaches make's child twice, as make
    passes it on; a supervisor may send another.) `exit_code(code)` then ends the program as the
    signal would have, killed by it, which is what make and shells expect of a child that
    stopped on a signal. SIGHUP ignored when we start (nohup) stays ignored."""

    def __init__(self) -> None:
        self.received: List[int] = []
        self._raise = False
        self._deferred = 0

    def install(self) -> "StopSignals":
        global _ACTIVE
        for signum in STOP_SIGNALS:
            if signum == signal.SIGHUP and signal.getsignal(signum) == signal.SIG_IGN:
                continue
            signal.signal(signum, self._handle)
        _ACTIVE = self
        return self

    def _handle(self, signum: int, frame: object) -> None:
        self.received.append(signum)
        if self._raise and not self._deferred:
            self._raise = False
            raise StopRequested(signum)

    @property
    def signum(self) -> Optional[int]:
        return self.received[0] if self.received else None

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        """A block that the first stop signal ends (also one that came before it)."""
        if self.received:
            raise StopRequested(self.received[0])
        self._raise = True
        try:
            yield
        finally:
            self._raise = False

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """A block a stop signal must not cut in two (starting a process and recording it):
        the signal takes effect at its end."""
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
        if self._raise and not self._deferred and self.received:
            self._raise = False
            raise StopRequested(self.received[0])

    def exit_code(self, code: int) -> int:
        """After a stop signal, and `code` 0 (the run had not failed before), death by that
        signal (call it once the clean-up is done); else `code`."""
        if self.signum is None or code != 0:
            return code
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(self.signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [self.signum])
        os.kill(os.getpid(), self.signum)
        return 128 + self.signum  # not reached


_ACTIVE: Optional[StopSignals] = None


def deferred_stop() -> "contextlib.AbstractContextManager[None]":
    """`StopSignals.deferred()` of the installed StopSignals (nothing when there is none)."""
    return _ACTIVE.deferred() if _ACTIVE is not None else contextlib.nullcontext()


def _caught_signals(pid: int) -> set:
    """The signals process `pid` has handlers for (/proc/PID/status, SigCgt)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            mask = int(line.split()[1], 16)
            return {s for s in STOP_SIGNALS if mask >> (s - 1) & 1}
    return set()


def watch_parent(every: float = 0.2) -> Optional[threading.Thread]:
    """When our parent is GNU make: passes on the stop signals make does not.

    make passes SIGTERM on to its child, but not SIGINT or SIGHUP (it expects the terminal to
    have sent those to the whole process group): `kill -INT <make>` alone would leave make
    waiting for us forever. make handles such a signal by setting it back to its default action
    and waiting for its children; this thread sees that in /proc (make no longer catches a signal
    it caught when we started), or make gone, and sends the signal to this process."""
    parent = os.getppid()
    try:
        if Path(f"/proc/{parent}/comm").read_text().strip() not in ("make", "gmake"):
            return None
        watched = _caught_signals(parent)
    except OSError:
        return None

    def watch() -> None:
        while True:
            time.sleep(every)
            try:
                lost = watched - _caught_signals(parent) if os.getppid() == parent else None
            except OSError:
                lost = None  # gone
            if lost is None or lost:
                os.kill(os.getpid(), min(lost) if lost else signal.SIGTERM)
                return

    thread = threading.Thread(target=watch, name="watch-make", daemon=True)
    thread.start()
    return thread


def _send(proc: subprocess.Popen, signum: int, group: bool) -> None:
    """`signum` to `proc` (or its process group) unless it has been reaped: then its pid, and
    the group's id, may be another process's already."""
    if proc.returncode is not None:
        return
    try:
        if group:
            os.killpg(proc.pid, signum)
        else:
            os.kill(proc.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _reaped(proc: subprocess.Popen, group: bool) -> bool:
    """Reaps `proc` if it has exited; with `group`, first kills what is left of its process
    group (while its exited leader still holds the group's id)."""
    if proc.returncode is not None:
        return True
    try:
        exited = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:  # reaped meanwhile by another thread's poll(): its group is gone
        proc.wait()
        return True
    if not exited:
        return False
    if group:  # still unreaped: the group's id is still its own
        _send(proc, signal.SIGKILL, group=True)
    proc.wait()
    return True


def stop_processes(procs: Sequence[Tuple[subprocess.Popen, int]], timeout: float = STOP_SECONDS,
                   group: bool = True) -> List[subprocess.Popen]:
    """Stops processes all at once: each gets its signal (to its process group with `group`),
    SIGKILL when it has not exited `timeout` seconds later; waits until each has exited and is
    reaped (with `group`, nothing of its group stays). Runs to its end even when interrupted
    (KeyboardInterrupt, SystemExit), then raises the interruption. Returns what would not die."""
    pending = [(proc, signum) for proc, signum in procs]
    sent = killed = False
    deadline = time.monotonic() + timeout
    interruption: Optional[BaseException] = None
    while pending:
        try:
            if not sent:
                for proc, signum in pending:
                    _send(proc, signum, group)
                sent = True
            pending = [(proc, signum) for proc, signum in pending if not _reaped(proc, group)]
            if pending and time.monotonic() > deadline:
                if killed:
                    break
                for proc, _ in pending:
                    _send(proc, signal.SIGKILL, group)
                killed, deadline = True, time.monotonic() + KILL_SECONDS
            if pending:
                time.sleep(0.05)
        except BaseException as error:  # noqa: BLE001 (finish stopping first)
            interruption = interruption or error
    if interruption is not None:
        raise interruption
    return [proc for proc, _ in pending]


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
        with deferred_stop():  # a stop signal never leaves a started server unrecorded
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

    def start_insights(self, port: Optional[int] = None, timeout: float = 60
                       ) -> Optional[subprocess.Popen]:
        """The clinic's insights page (insights/service.py) on INSIGHTS_PORT [8090], reading
        this stack's analytics store; off (None) unless INSIGHTS_TOKEN is set."""
        if not self.env.get("INSIGHTS_TOKEN"):
            return None
        self.insights_port = port or insights_port(self.env)
        self.env["INSIGHTS_PORT"] = str(self.insights_port)
        proc = self._spawn("insights", [sys.executable, "-m", "insights.service"])
        host = self.env.get("INSIGHTS_HOST") or "127.0.0.1"
        wait_http(f"http://{host}:{self.insights_port}/login", timeout, proc)
        return proc

    def start(self) -> "Stack":
        try:
            self.start_actions()
            self.start_rasa()
        except BaseException:
            self.stop()
            raise
        return self

    def stop_process(self, proc: subprocess.Popen, timeout: float = STOP_SECONDS
                     ) -> List[subprocess.Popen]:
        """SIGTERM to the server's process group, SIGKILL after `timeout`; waits until it is
        gone (`stop_processes`). Returns [proc] if it would not die."""
        left = stop_processes([(proc, signal.SIGTERM)], timeout)
        if not left and proc in self.procs:
            self.procs.remove(proc)
        return left

    def stop(self, timeout: float = STOP_SECONDS) -> List[subprocess.Popen]:
        """Stops all servers at once, as `stop_process` does; returns those that would not die
        (normally none)."""
        procs = list(reversed(self.procs))
        left = stop_processes([(proc, signal.SIGTERM) for proc in procs], timeout)
        self.procs = [proc for proc in self.procs if proc in left]
        return left


def main() -> int:
    """`make run` / `make shell`. A stop signal (SIGINT, SIGTERM, SIGHUP; once or repeatedly, to
    make or to its process group) ends it: the servers are stopped (SIGTERM, SIGKILL after
    STOP_SECONDS) and waited for, uninterrupted by further signals; then it dies of that signal.
    Exit status 1: a server stopped unexpectedly, would not start, or would not stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["run", "shell"])
    mode = parser.parse_args().mode
    signals = StopSignals().install()
    watch_parent()
    stack = Stack(int(os.environ.get("RASA_PORT", 5005)), int(os.environ.get("ACTION_PORT", 5055)))
    shell: List[subprocess.Popen] = []  # `rasa shell`: in this process group, not in stack.procs
    terminal = _terminal_settings()
    code = 0
    left: List[subprocess.Popen] = []
    try:
        with signals.interruptible():
            from scripts.purge import start_retention
            start_retention(stack.env)  # deletes conversations older than RETENTION_DAYS
            print(f"Starting the action server on port {stack.action_port} ...", flush=True)
            stack.start_actions()
            if mode == "shell":
                # In the foreground: it reads the terminal, so it stays in our process group.
                with deferred_stop():
                    shell.append(subprocess.Popen(
                        [str(VENV_BIN / "rasa"), "shell", *stack.rasa_args(),
                         "--port", str(stack.rasa_port)], cwd=ROOT, env=stack.env))
                code = shell[0].wait()
            else:
                print(f"Starting the Rasa server on port {stack.rasa_port} ...", flush=True)
                stack.start_rasa()
                stack.start_widget()
                insights = stack.start_insights()
                print(f"""
The assistant is ready.
  Website:  http://localhost:{stack.widget_port} (a demo clinic page with the chat widget)
  Insights: {f"http://localhost:{stack.insights_port} (staff only: log in with INSIGHTS_TOKEN)"
             if insights else "off (set INSIGHTS_TOKEN to turn the staff page on)"}
  REST:     curl -s -X POST {stack.url}/webhooks/rest/webhook \\
              -H 'Content-Type: application/json' \\
              -d '{{"sender": "me", "message": "What is an MRI?"}}'
  socketio: {stack.url}/socket.io (the website widget's channel)
Press Ctrl-C to stop the servers.
""", flush=True)
                while all(p.poll() is None for p in stack.procs):
                    time.sleep(0.5)
                print("A server stopped unexpectedly; stopping the others.", file=sys.stderr)
                code = 1
    except StopRequested:
        code = 0  # stopped as asked, whatever rasa shell (in our group: signalled too) returned
    except (RuntimeError, TimeoutError) as error:  # a server did not start
        print(f"{mode}: {error}", file=sys.stderr)
        code = 1
    finally:  # no stop signal interrupts this (they are only recorded from here on)
        print("Stopping ...", flush=True)
        left = stop_processes([(p, signal.SIGTERM) for p in shell], group=False) + stack.stop()
        if shell:
            left += stop_group_leftovers()
        _restore_terminal(terminal)
    if left:
        print("Could not stop process(es) " + ", ".join(str(p.pid) for p in left),
              file=sys.stderr, flush=True)
        return 1
    print("Stopped.", flush=True)
    return signals.exit_code(code)


def stop_group_leftovers(timeout: float = KILL_SECONDS) -> List[int]:
    """`rasa shell` runs in our process group (the terminal's foreground one), so what it left
    behind is there too: every process of the group but this one and its ancestors (make) gets
    SIGKILL. Returns the pids still there after `timeout`."""
    ours = {os.getpid(), *_ancestors()}
    group = os.getpgrp()
    leftovers = [pid for pid in _pids() if pid not in ours and _group_of(pid) == group]
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while leftovers and time.monotonic() < deadline:
        leftovers = [pid for pid in leftovers if _group_of(pid) == group]
        time.sleep(0.05)
    return leftovers


def _pids() -> List[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _stat(pid: int) -> Optional[List[str]]:
    """/proc/PID/stat's fields after the command name; None once the process is gone (or a
    zombie, which holds nothing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields


def _group_of(pid: int) -> Optional[int]:
    fields = _stat(pid)
    return int(fields[2]) if fields else None


def _ancestors() -> List[int]:
    pids, pid = [], os.getppid()
    while pid > 1:
        pids.append(pid)
        fields = _stat(pid)
        pid = int(fields[1]) if fields else 0
    return pids


def _terminal_settings() -> Optional[list]:
    """The terminal's settings, to restore after `rasa shell` (killed, it may leave raw mode)."""
    try:
        import termios
        return termios.tcgetattr(sys.stdin.fileno()) if sys.stdin.isatty() else None
    except Exception:  # noqa: BLE001 (termios.error, no stdin: nothing to restore)
        return None


def _restore_terminal(settings: Optional[list]) -> None:
    if settings is None:
        return
    try:
        import termios
        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, settings)
    except Exception:  # noqa: BLE001 (termios.error: the terminal is gone)
        pass


if __name__ == "__main__":
    sys.exit(main())
