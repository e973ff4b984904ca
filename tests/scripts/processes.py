"""What the stop tests need: free ports, an environment with nothing of the developer's, the
process tree of a `make` run (from /proc), a fake virtualenv whose `rasa` starts at once, and
waiting for a condition with a deadline."""
import os
import pty
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
# Everything a stack or cluster run reads (scripts/stack.py and scripts/cluster.py docstrings),
# set explicitly, so that the developer's shell (EMERGENCY_NUMBER=112, a TRACKER_STORE_URL, ...)
# changes nothing; the ports and DATA_DIR come per test.
SETTINGS = {
    "EMERGENCY_NUMBER": "911", "BOOKING_URL": "", "BOOKING_PHONE": "", "RASA_API_TOKEN": "",
    "TRACKER_STORE_URL": "", "LOCK_STORE_TYPE": "", "REDIS_HOST": "", "REDIS_DB": "",
    "ALLOWED_ORIGINS": "", "ACTION_TIMEOUT_SECONDS": "10", "RETENTION_DAYS": "30",
    "PURGE_EVERY_HOURS": "6", "LOG_LEVEL": "INFO", "SANIC_HOST": "127.0.0.1",
    "RASA_INSTANCES": "1", "ACTION_INSTANCES": "1", "RASA_TELEMETRY_ENABLED": "false",
}


def minimal_env(**values: object) -> Dict[str, str]:
    """PATH, HOME and LANG of the machine, SETTINGS, then `values`."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    env.update(SETTINGS)
    env.update({key: str(value) for key, value in values.items()})
    return env


def free_ports(count: int) -> List[int]:
    """`count` different loopback ports nobody listens on (held together while chosen)."""
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def listening(port: int) -> bool:
    """Something accepts connections on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not so within {timeout:.0f} s")
        time.sleep(every)


# -- processes -------------------------------------------------------------------------------

Process = Tuple[int, int]  # pid and start time: a pid used again later is another process


def _stat(pid: int) -> Optional[Tuple[int, str, int]]:
    """(parent pid, state, start time) of a process, None when there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), fields[0], int(fields[19])


def process_tree(root: int) -> Set[Process]:
    """`root` and all its descendants now."""
    children: Dict[int, List[int]] = {}
    started: Dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(entry))
                started[int(entry)] = stat[2]
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in started:
            tree.add((pid, started[pid]))
            todo.extend(children.get(pid, []))
    return tree


def alive(process: Process) -> bool:
    """Still running (a zombie has ended: it holds nothing but its pid)."""
    stat = _stat(process[0])
    return stat is not None and stat[2] == process[1] and stat[1] not in ("Z", "X")


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:160]
    except OSError:
        return "?"


def kill_all(processes: Iterable[Process]) -> None:
    """After a failed stop: nothing of it may stay for the next test."""
    for process in processes:
        if alive(process):
            try:
                os.kill(process[0], signal.SIGKILL)
            except ProcessLookupError:
                pass


# -- a make run -------------------------------------------------------------------------------

def fake_venv(folder: Path) -> Path:
    """A virtualenv with the project's packages (linked) whose `rasa` is tests/scripts/
    fake_rasa.py; returns its python, for `make PY=...`."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True)
    (folder / "pyvenv.cfg").write_text((VENV / "pyvenv.cfg").read_text())
    (folder / "lib").symlink_to(VENV / "lib")
    python = bin_dir / "python"
    python.symlink_to(os.path.realpath(VENV / "bin" / "python"))
    rasa = bin_dir / "rasa"
    rasa.write_text(f"#!{python}\n" + (ROOT / "tests" / "scripts" / "fake_rasa.py").read_text())
    rasa.chmod(0o755)
    return python


class MakeRun:
    """`make <target>` (its prerequisites taken as done: the test is about the target's own
    recipe), in a session of its own as a supervisor or a terminal would start it; with
    `terminal`, a pseudo-terminal is that session's controlling terminal (as in a terminal
    window: make's process group in the foreground) and `type()` types into it."""

    def __init__(self, target: str, env: Dict[str, str], log: Path,
                 python: Optional[Path] = None, terminal: bool = False,
                 command: Optional[List[str]] = None) -> None:
        """`command`: run that instead of make (`target` names it in messages)."""
        self.target, self.env, self.log = target, env, log
        args = ["make", "-s", "-o", "train", "-o", "widget", "-o", "system"]
        if python is not None:
            args.append(f"PY={python}")
        if command is not None:
            args, target = command[:-1], command[-1]
        log.touch()
        self.log_start = log.stat().st_size
        self.terminal: Optional[int] = None
        self.seen: Set[Process] = set()
        if not terminal:
            with open(log, "ab") as out:
                self.proc = subprocess.Popen([*args, target], cwd=ROOT, env=env, stdout=out,
                                             stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, start_new_session=True)
            return
        self.terminal, tty = pty.openpty()
        try:  # setsid -c: a new session (same pid, make) whose controlling terminal is stdin
            self.proc = subprocess.Popen(["setsid", "-c", *args, target], cwd=ROOT,
                                         env={**env, "TERM": "xterm"}, stdin=tty, stdout=tty,
                                         stderr=tty)
        finally:
            os.close(tty)
        self._reader = threading.Thread(target=self._copy_terminal, daemon=True)
        self._reader.start()

    def _copy_terminal(self) -> None:
        with open(self.log, "ab", buffering=0) as out:
            while True:
                try:
                    data = os.read(self.terminal, 65536)
                except OSError:  # EIO: no process has the terminal open any more
                    return
                if not data:
                    return
                out.write(data)

    def type(self, text: str) -> None:
        os.write(self.terminal, text.encode())

    def output(self) -> str:
        with open(self.log, "rb") as out:
            out.seek(self.log_start)
            return out.read().decode(errors="replace")

    def wait_ready(self, urls: Sequence[str], timeout: float) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"make {self.target} exited with {self.proc.returncode}"
                                     f" before it was ready:\n{self.output()[-3000:]}")
            return all(answers(url) for url in urls)

        wait_until(ready, timeout, f"make {self.target} ready ({', '.join(urls)})", every=0.5)

    def tree(self) -> Set[Process]:
        tree = process_tree(self.proc.pid)
        self.seen |= tree
        return tree

    def cleanup(self) -> None:
        """Kills whatever is left of this run (after a failure)."""
        if self.proc.poll() is None:
            self.tree()
        kill_all(self.seen)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.terminal is not None:
            self._reader.join(10)
            os.close(self.terminal)
            self.terminal = None

    def send(self, signum: int, to_group: bool) -> None:
        if to_group:
            os.killpg(self.proc.pid, signum)  # make leads its process group
        else:
            os.kill(self.proc.pid, signum)

    def stop(self, signum: int, times: int, to_group: bool) -> None:
        """`signum` to make or its group, `times` times; each further one once the clean-up has
        begun ("Stopping ..."), to be sure it lands in the middle of it."""
        self.send(signum, to_group)
        for _ in range(times - 1):
            wait_until(lambda: "Stopping ..." in self.output() or self.proc.poll() is not None,
                       30, "the clean-up begins")
            self.send(signum, to_group)

    def assert_gone(self, processes: Set[Process], ports: Iterable[int], timeout: float) -> None:
        """Within `timeout`: make has exited, every process of the tree has ended and no port is
        listened on. What is left is killed, so that a failure does not spread."""
        try:
            deadline = time.monotonic() + timeout
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"make {self.target} still running after {timeout:.0f} s:"
                                     f"\n{self.output()[-3000:]}") from None
            try:
                wait_until(lambda: not any(alive(p) for p in processes),
                           max(1.0, deadline - time.monotonic()), "every process ended")
            except AssertionError:
                left = [f"{pid} {command(pid)}" for pid, start in processes
                        if alive((pid, start))]
                raise AssertionError(f"still running after {timeout:.0f} s: {left}") from None
            busy = [port for port in ports if listening(port)]
            assert not busy, f"ports still listened on: {busy}"
        finally:
            self.seen |= processes
            self.cleanup()
