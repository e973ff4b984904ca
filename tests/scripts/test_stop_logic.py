"""scripts/stack.py's stop logic on small processes: SIGTERM then SIGKILL after the deadline,
nothing of a server's process group left, and a clean-up that an interruption does not cut
short; StopSignals raising once only."""
import signal
import subprocess
import sys
import time

import pytest

from scripts import stack
from scripts.stack import StopRequested, StopSignals, stop_processes
from tests.scripts.processes import alive, process_tree, wait_until

IGNORES_TERM = ("import signal, time\n"
                "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                "print('ready', flush=True)\n"
                "while True: time.sleep(60)\n")
# a server that takes `STOPPING` seconds to stop after SIGTERM, with a worker in its process
# group that ignores SIGTERM
STOPPING = 0.5
SLOW_SERVER = (f"import os, signal, subprocess, sys, time\n"
               f"worker = subprocess.Popen([sys.executable, '-c', {IGNORES_TERM!r}],"
               f" stdout=subprocess.PIPE)\n"
               f"worker.stdout.readline()\n"
               f"signal.signal(signal.SIGTERM, lambda *_: (time.sleep({STOPPING}), os._exit(0)))\n"
               f"print('ready', flush=True)\n"
               f"while True: time.sleep(60)\n")


def server(code: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            start_new_session=True)
    assert proc.stdout.readline() == b"ready\n"
    return proc


def test_sigkill_after_the_deadline():
    proc = server(IGNORES_TERM)
    started = time.monotonic()
    assert stop_processes([(proc, signal.SIGTERM)], timeout=0.5) == []
    assert proc.returncode == -signal.SIGKILL
    assert 0.5 <= time.monotonic() - started < 5


def test_nothing_of_the_process_group_stays():
    proc = server(SLOW_SERVER)
    tree = process_tree(proc.pid)
    assert len(tree) == 2
    assert stop_processes([(proc, signal.SIGTERM)], timeout=10) == []
    assert proc.returncode == 0  # it stopped by itself, in time
    wait_until(lambda: not any(alive(p) for p in tree), 5, "the worker killed with its group")


def test_an_interruption_does_not_cut_the_stop_short():
    """A KeyboardInterrupt in the middle (a second Ctrl-C in a program without StopSignals):
    the servers are still stopped and waited for, then it is raised."""
    procs = [server(SLOW_SERVER) for _ in range(2)]
    trees = [process_tree(p.pid) for p in procs]

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, STOPPING / 3)  # while the servers are stopping
        with pytest.raises(KeyboardInterrupt):
            stop_processes([(p, signal.SIGTERM) for p in procs], timeout=10)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert [p.returncode for p in procs] == [0, 0]
    wait_until(lambda: not any(alive(p) for tree in trees for p in tree), 5, "all gone")


def test_the_first_stop_signal_raises_once_and_later_ones_are_recorded(monkeypatch):
    monkeypatch.setattr(stack, "_ACTIVE", None)  # install() sets it: put back afterwards
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        signals = StopSignals().install()
        signal.raise_signal(signal.SIGTERM)  # outside interruptible(): recorded only
        with pytest.raises(StopRequested) as stop:
            with signals.interruptible():  # a signal that came before ends it at once
                pytest.fail("not reached")
        assert stop.value.signum == signal.SIGTERM
        signals = StopSignals().install()
        with pytest.raises(StopRequested):
            with signals.interruptible():
                signal.raise_signal(signal.SIGINT)
                time.sleep(0)
                pytest.fail("not reached")
        for signum in (signal.SIGINT, signal.SIGTERM):  # during the clean-up
            signal.raise_signal(signum)
        assert signals.received == [signal.SIGINT, signal.SIGINT, signal.SIGTERM]
        assert signals.exit_code(1) == 1  # a failed run stays failed
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
