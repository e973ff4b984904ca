"""`make run`, `make shell` and `make run-cluster` stop cleanly on SIGINT or SIGTERM, once or
twice in quick succession, sent to make or to its whole process group (what a supervisor
sends): no process of the run is left, no port is listened on, and a start right after the stop
works on the same ports.

Every combination runs with a fake `rasa` (tests/scripts/fake_rasa.py, through `make PY=...`:
the same recipes and scripts, the servers start at once); a few run with the real servers and
the trained model (about a minute a start). make's prerequisites (train, widget, system) are
taken as done (`make -o`): what is tested is the target's own recipe."""
import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from scripts.cluster import port_free
from scripts.stack import MODEL
from tests.scripts.processes import (
    MakeRun,
    answers,
    command,
    fake_venv,
    free_ports,
    minimal_env,
    wait_until,
)

pytestmark = pytest.mark.slow  # processes started and stopped: seconds each, minutes in all

SIGINT, SIGTERM = signal.SIGINT, signal.SIGTERM
CASES = [(signum, times, to_group) for signum in (SIGINT, SIGTERM) for times in (1, 2)
         for to_group in (False, True)]
STOP_TIMEOUT = 60  # stack.py gives a server 20 s after SIGTERM, then SIGKILL


def case_id(case) -> str:
    signum, times, to_group = case
    return f"{signal.Signals(signum).name}-{'once' if times == 1 else 'twice'}-" \
           f"{'group' if to_group else 'make'}"


def stack_env(folder: Path, rasa: int, action: int, widget: int, **extra) -> Dict[str, str]:
    return minimal_env(RASA_PORT=rasa, ACTION_PORT=action, WIDGET_PORT=widget,
                       DATA_DIR=folder / "data", **extra)


def stack_urls(rasa: int, action: int, widget: int) -> List[str]:
    return [f"http://127.0.0.1:{rasa}/", f"http://127.0.0.1:{action}/health",
            f"http://127.0.0.1:{widget}/"]


def stop_and_check(run: MakeRun, case, ports: List[int], timeout: float = STOP_TIMEOUT) -> None:
    signum, times, to_group = case
    tree = run.tree()
    run.stop(signum, times, to_group)
    run.assert_gone(tree, ports, timeout)
    # make ends as its child did: killed by the signal, not with an error of its own
    assert run.proc.returncode == -signum, (run.proc.returncode, run.output()[-2000:])
    assert "Stopped." in run.output(), run.output()[-2000:]


@pytest.fixture
def make_run() -> Iterator:
    """Starts `make` runs (MakeRun's arguments); kills what a failed test leaves of them."""
    runs: List[MakeRun] = []

    def start(*args, **kwargs) -> MakeRun:
        runs.append(MakeRun(*args, **kwargs))
        return runs[-1]

    yield start
    for run in runs:
        run.cleanup()


@pytest.fixture(scope="module")
def fake_python(tmp_path_factory) -> Path:
    return fake_venv(tmp_path_factory.mktemp("fake") / "venv")


# -- make run --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_make_run_stops_cleanly_fake_servers(make_run, fake_python, tmp_path, case):
    ports = free_ports(3)
    env = stack_env(tmp_path, *ports, FAKE_RASA_WORKER="1")
    for _ in range(2):  # the second time on the same ports, right after the stop
        run = make_run("run", env, tmp_path / "make.log", python=fake_python)
        run.wait_ready(stack_urls(*ports), 60)
        assert len(run.tree()) >= 7, "make, stack.py, three servers, two with a worker"
        stop_and_check(run, case, ports)


@pytest.mark.parametrize("signum", [SIGINT, SIGTERM], ids=lambda s: signal.Signals(s).name)
def test_stack_py_dies_of_the_stop_signal_once_stopped(make_run, fake_python, tmp_path,
                                                      signum):
    """Its own exit status (make's hides it): killed by the signal it stopped on, after the
    clean-up, as make and shells expect of a child stopped by a signal."""
    ports = free_ports(3)
    run = make_run("stack.py", stack_env(tmp_path, *ports), tmp_path / "stack.log",
                   command=[str(fake_python), "-m", "scripts.stack", "run"])
    run.wait_ready(stack_urls(*ports), 60)
    stop_and_check(run, (signum, 1, False), ports)


def test_stack_py_exits_1_when_a_server_dies(make_run, fake_python, tmp_path):
    ports = free_ports(3)
    run = make_run("stack.py", stack_env(tmp_path, *ports), tmp_path / "stack.log",
                   command=[str(fake_python), "-m", "scripts.stack", "run"])
    run.wait_ready(stack_urls(*ports), 60)
    tree = run.tree()
    actions = [pid for pid, _ in tree if "run actions" in command(pid)]
    os.killpg(actions[0], signal.SIGKILL)
    run.assert_gone(tree, ports, STOP_TIMEOUT)
    assert run.proc.returncode == 1
    assert "A server stopped unexpectedly" in run.output()


# -- make shell -------------------------------------------------------------------------------

def wait_prompt(run: MakeRun, prompts: int, timeout: float) -> None:
    wait_until(lambda: run.output().count("Your input ->") >= prompts
               or run.proc.poll() is not None, timeout, f"prompt {prompts} of rasa shell",
               every=0.2)
    assert run.proc.poll() is None, run.output()[-3000:]


@pytest.mark.parametrize("case", [(SIGINT, 2, True), (SIGTERM, 2, True), (SIGINT, 1, False),
                                  (SIGTERM, 1, False)], ids=case_id)
def test_make_shell_stops_cleanly_fake_servers(make_run, fake_python, tmp_path, case):
    """`rasa shell` in a terminal (a pseudo-terminal; in make's process group, the foreground
    one) and the action server."""
    rasa, action, widget = ports = free_ports(3)
    env = stack_env(tmp_path, *ports, FAKE_RASA_WORKER="1")
    for _ in range(2):
        run = make_run("shell", env, tmp_path / "make.log", python=fake_python, terminal=True)
        wait_prompt(run, 1, 60)
        run.type("hello\n")
        wait_prompt(run, 2, 30)
        assert "fake answer to 'hello'" in run.output()
        stop_and_check(run, case, [rasa, action])


# -- make run-cluster ------------------------------------------------------------------------

@pytest.fixture
def cluster_dir() -> Iterator[Path]:
    """DATA_DIR of a cluster: under /tmp and reachable by PostgreSQL's and nginx's users (as
    tests/cluster/conftest.py makes it)."""
    path = Path(tempfile.mkdtemp(prefix="rasa-stops-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def consecutive_free_ports(count: int, besides: List[int]) -> List[int]:
    """CLUSTER_RASA_PORT and the next ones: `count` free ports in a row, none of `besides`."""
    while True:
        first = free_ports(1)[0]
        ports = list(range(first, first + count))
        if ports[-1] < 65536 and all(port_free(p) and p not in besides for p in ports):
            return ports


def cluster_setup(folder: Path, instances: int, **extra):
    """The environment of a `make run-cluster` on free ports, the URLs that answer once it is
    ready, and its ports."""
    nginx, nginx_actions, action, postgres, redis, widget = others = free_ports(6)
    rasa = consecutive_free_ports(instances, others)
    env = minimal_env(RASA_PORT=nginx, ACTION_PORT=nginx_actions, CLUSTER_RASA_PORT=rasa[0],
                      CLUSTER_ACTION_PORT=action, POSTGRES_PORT=postgres, REDIS_PORT=redis,
                      WIDGET_PORT=widget, RASA_INSTANCES=instances, DATA_DIR=folder / "data",
                      **extra)
    urls = [f"http://127.0.0.1:{nginx}/", f"http://127.0.0.1:{nginx_actions}/health",
            f"http://127.0.0.1:{widget}/", *(f"http://127.0.0.1:{p}/" for p in rasa)]
    return env, urls, [nginx, nginx_actions, action, postgres, redis, widget, *rasa]


@pytest.mark.parametrize("case", [(SIGTERM, 2, True), (SIGINT, 2, True), (SIGINT, 1, False),
                                  (SIGTERM, 1, False)], ids=case_id)
def test_make_run_cluster_stops_cleanly_fake_servers(make_run, fake_python, cluster_dir, case):
    """PostgreSQL, Redis and nginx real, two fake Rasa servers; the second start comes right
    after the stop, with the stopped run's connections in TIME_WAIT on its ports."""
    env, urls, ports = cluster_setup(cluster_dir, 2, FAKE_RASA_WORKER="1")
    for _ in range(2):
        run = make_run("run-cluster", env, cluster_dir / "make.log", python=fake_python)
        run.wait_ready(urls, 120)
        assert all(answers(url) for url in urls * 2)  # connections to every port, then closed
        stop_and_check(run, case, ports)


# -- while starting --------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["run", "run-cluster"])
def test_a_stop_while_the_rasa_servers_load(make_run, fake_python, cluster_dir, target):
    """Ctrl-C while the model loads (the Rasa servers do not answer yet): everything stops."""
    if target == "run":
        ports = free_ports(3)
        env = stack_env(cluster_dir, *ports)
    else:
        env, _, ports = cluster_setup(cluster_dir, 2)
    env["FAKE_RASA_LOAD_SECONDS"] = "600"
    run = make_run(target, env, cluster_dir / "make.log", python=fake_python)

    def loading() -> bool:
        assert run.proc.poll() is None, run.output()[-3000:]
        return any(" run --model " in command(pid) for pid, _ in run.tree())

    wait_until(loading, 60, "a Rasa server loading")
    stop_and_check(run, (SIGINT, 2, True), ports)


# -- the real servers ---------------------------------------------------------------------------

def needs_model() -> None:
    if not MODEL.exists():
        pytest.fail("no trained model: run the suite with `make test`")


REAL_START = 400  # seconds: loading the model takes 20-60 s, more on a busy machine


@pytest.fixture(scope="module")
def real_stack(tmp_path_factory) -> Iterator[Dict]:
    """Real `make run`s one after the other on the same ports: each test stops the running one
    and starts the next right after (which must come up), leaving it for the next test."""
    needs_model()
    folder = tmp_path_factory.mktemp("real-stack")
    ports = free_ports(3)
    env = stack_env(folder, *ports)
    relay: Dict = {"ports": ports, "run": None}

    def start() -> MakeRun:
        relay["run"] = MakeRun("run", env, folder / "make.log")
        relay["run"].wait_ready(stack_urls(*ports), REAL_START)
        return relay["run"]

    relay["start"] = start
    yield relay
    if relay["run"] is not None:
        try:
            if relay["run"].proc.poll() is None:
                stop_and_check(relay["run"], (SIGTERM, 1, True), ports)
        finally:
            relay["run"].cleanup()


@pytest.mark.parametrize("case", [(SIGTERM, 2, True), (SIGINT, 1, False), (SIGINT, 2, True)],
                         ids=case_id)
def test_make_run_stops_cleanly(real_stack, case):
    """The Rasa, action and widget servers; SIGTERM twice to make's group is what left the three
    running before (make passes SIGTERM on: stack.py got three)."""
    run = real_stack["run"]
    if run is None or run.proc.poll() is not None:
        run = real_stack["start"]()
    try:
        stop_and_check(run, case, real_stack["ports"])
    finally:
        real_stack["run"] = None
    real_stack["start"]()  # at once, on the same ports


def test_make_run_cluster_stops_cleanly(make_run, cluster_dir):
    """PostgreSQL, Redis, nginx, an action server and a Rasa server (one: the stop is the same
    for more, and each loads the model); a conversation through nginx, so that the stop leaves
    connections in TIME_WAIT; then the next start on the same ports."""
    needs_model()
    env, urls, ports = cluster_setup(cluster_dir, 1)
    for case in [(SIGTERM, 2, True), (SIGINT, 1, False)]:
        run = make_run("run-cluster", env, cluster_dir / "make.log")
        run.wait_ready(urls, REAL_START)
        response = requests.post(f"{urls[0]}webhooks/rest/webhook", timeout=120,
                                 json={"sender": "stops", "message": "What is an MRI?"})
        assert response.status_code == 200 and response.json(), response.text[:300]
        stop_and_check(run, case, ports)


def test_make_shell_stops_cleanly(make_run, tmp_path):
    """`rasa shell` in a terminal, answering; then SIGINT twice to the terminal's foreground
    process group (make's), as from a supervisor or `kill -INT -<pgid>`."""
    needs_model()
    rasa, action, widget = free_ports(3)
    run = make_run("shell", stack_env(tmp_path, rasa, action, widget), tmp_path / "make.log",
                   terminal=True)
    wait_prompt(run, 1, REAL_START)
    run.type("What is an MRI?\r")  # Enter, in the raw mode of rasa shell's prompt
    wait_until(lambda: "magnet" in run.output(), 120, "rasa shell's answer")
    wait_prompt(run, 2, 60)
    stop_and_check(run, (SIGINT, 2, True), [rasa, action])
