"""Several Rasa servers behind nginx, sharing a PostgreSQL tracker store and a Redis lock store,
all on loopback (`make run-cluster`, the cluster tests and `make bench-cluster` use it).

Configuration (environment, defaults in brackets): RASA_INSTANCES [2], ACTION_INSTANCES [1],
RASA_PORT [5005] (nginx: REST, socket.io, HTTP API), CLUSTER_RASA_PORT [5011] (the Rasa servers
take this port and the next ones), ACTION_PORT [5055] (nginx in front of the action servers),
CLUSTER_ACTION_PORT [5061] (the action servers), POSTGRES_PORT [5432], REDIS_PORT [6379],
DATA_DIR [./var/cluster] (PostgreSQL's data, logs, the generated configuration), RASA_API_TOKEN
[unset: HTTP API off], WIDGET_PORT [8080], and what scripts/stack.py reads (EMERGENCY_NUMBER ...).
TRACKER_STORE_URL set: that database is used and no PostgreSQL is started; REDIS_HOST set: that
Redis is used and none is started (the stores already run elsewhere). The analytics store (the
event broker's, for the insights page) is the database `analytics` of the PostgreSQL started
here, or ANALYTICS_URL; the insights page starts when INSIGHTS_TOKEN is set (INSIGHTS_PORT
[8090]).
"""
import argparse
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

from scripts.stack import (
    ROOT,
    Stack,
    StopRequested,
    StopSignals,
    deferred_stop,
    stop_processes,
    wait_http,
    watch_parent,
)

NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
LOCK_STORE = "rasa_server.stores.lock_store.AtomicRedisLockStore"
LOOPBACK = "127.0.0.1"


def port_free(port: int) -> bool:
    """Nothing listens on (or holds) 127.0.0.1:port: a server could bind it now. SO_REUSEADDR,
    as the servers themselves bind: connections of an earlier run still in TIME_WAIT on the port
    (for a minute after every stop) don't make it busy; a listener does."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def wait_until(check, timeout: float, what: str, proc: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} while starting")
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 (not up yet)
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not come up within {timeout:.0f} s")
        time.sleep(0.2)


class LoopbackStack(Stack):
    """A `Stack` whose servers listen on 127.0.0.1 only: nginx is the way in."""

    def rasa_args(self) -> List[str]:
        return [*super().rasa_args(), "--interface", LOOPBACK]


def as_user(name: Optional[str]) -> Dict:
    """subprocess arguments that run a child as user `name` with its own groups only (not
    root's); nothing when `name` is None."""
    if name is None:
        return {}
    entry = pwd.getpwnam(name)
    return {"user": entry.pw_uid, "group": entry.pw_gid,
            "extra_groups": os.getgrouplist(name, entry.pw_gid)}


def let_traverse(path: Path, uid: int, gid: int) -> List[Path]:
    """Lets a user reach `path` (created by root): adds search permission (x, not read) for
    others to each parent it could not pass, e.g. a DATA_DIR made private (0700). Returns
    the folders changed."""
    changed = []
    for parent in [*reversed(path.parents), path]:
        st = parent.stat()
        bit = 0o100 if st.st_uid == uid else 0o010 if st.st_gid == gid else 0o001
        if not st.st_mode & bit:
            os.chmod(parent, stat.S_IMODE(st.st_mode) | 0o001)
            changed.append(parent)
    return changed


class Cluster:
    """PostgreSQL, Redis, action server(s), N Rasa servers and nginx; `start()` and `stop()`."""

    def __init__(self, data_dir: Path, instances: int = 2, port: int = 5005,
                 rasa_ports: Optional[List[int]] = None, action_port: int = 5055,
                 action_ports: Optional[List[int]] = None, postgres_port: int = 5432,
                 redis_port: int = 6379, env: Optional[Dict[str, str]] = None,
                 lock_store: str = LOCK_STORE) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.rasa_ports = rasa_ports or [5011 + i for i in range(instances)]
        self.action_port = action_port
        self.action_ports = action_ports or [5061]
        self.postgres_port, self.redis_port = postgres_port, redis_port
        # An env given is all the servers get (tests); none: the caller's environment.
        self.env = dict(env if env is not None else os.environ)
        self.inherit = env is None
        self.logs = self.data_dir / "logs"
        self.own_postgres = not self.env.get("TRACKER_STORE_URL")
        self.own_redis = not self.env.get("REDIS_HOST")
        self.lock_store = lock_store
        self.services: Dict[str, subprocess.Popen] = {}
        self.log_files: Dict[str, object] = {}
        self.rasa: List[Stack] = []
        self.actions: List[Stack] = []
        self.front: Optional[Stack] = None
        self.tracker_store_url = self.env.get("TRACKER_STORE_URL", "")
        self.analytics_url = self.env.get("ANALYTICS_URL", "")
        self.stopping = threading.Event()  # set by stop(): nothing starts any more
        self.starting: List[threading.Thread] = []  # threads starting Rasa servers

    # -- addresses -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def rasa_url(self, index: int) -> str:
        return f"http://{LOOPBACK}:{self.rasa_ports[index]}"

    def rasa_env(self) -> Dict[str, str]:
        """What every Rasa server runs with: the shared stores."""
        env = dict(self.env)
        env.update({
            "DATA_DIR": str(self.data_dir),
            "TRACKER_STORE_URL": self.tracker_store_url,
            "ANALYTICS_URL": self.analytics_url,
            "LOCK_STORE_TYPE": self.env.get("LOCK_STORE_TYPE") or self.lock_store,
            "REDIS_HOST": self.env.get("REDIS_HOST") or LOOPBACK,
            "REDIS_PORT": self.env.get("REDIS_PORT") or str(self.redis_port),
            "REDIS_DB": self.env.get("REDIS_DB") or "0",
            "ACTION_ENDPOINT_URL": f"http://{LOOPBACK}:{self.action_port}/webhook",
            "SANIC_HOST": LOOPBACK,  # the action servers' interface
        })
        return env

    # -- processes ---------------------------------------------------------------------------

    def _spawn(self, name: str, args: List[str], user: Optional[str] = None,
               cwd: Optional[Path] = None) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        out = open(self.logs / f"{name}.log", "ab")
        self.log_files[name] = out
        with deferred_stop():  # a stop signal never leaves a started service unrecorded
            proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=cwd or ROOT,
                                    start_new_session=True, **as_user(user),
                                    env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                         "LANG": "C.UTF-8"})
            self.services[name] = proc
        return proc

    # How each service stops: its signal (to its process group) and how long it may take
    # before SIGKILL. PostgreSQL: SIGINT, fast shutdown; nginx: SIGQUIT, finish open requests.
    STOPS = {"nginx": (signal.SIGQUIT, 20), "redis": (signal.SIGTERM, 20),
             "postgres": (signal.SIGINT, 30)}

    def _stop_services(self, *names: str) -> List[subprocess.Popen]:
        """Stops these services at once (stop_processes: waited for, SIGKILL after their time,
        not interrupted by signals); returns those that would not die."""
        procs = {name: self.services[name] for name in names if name in self.services}
        left: List[subprocess.Popen] = []
        for timeout in sorted({self.STOPS[name][1] for name in procs}):
            left += stop_processes([(proc, self.STOPS[name][0]) for name, proc in procs.items()
                                    if self.STOPS[name][1] == timeout], timeout)
        for name, proc in procs.items():
            if proc not in left:
                del self.services[name]
                out = self.log_files.pop(name, None)
                if out is not None:
                    out.close()
        return left

    # -- PostgreSQL --------------------------------------------------------------------------

    @staticmethod
    def postgres_bin() -> Path:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                       key=lambda p: int(Path(p).parts[4]))
        if not found:
            raise RuntimeError("PostgreSQL is not installed: run scripts/setup-system")
        return Path(found[-1]).parent

    def _postgres_user(self) -> Optional[str]:
        """Root can't run PostgreSQL: then it runs as `postgres` (or `nobody`)."""
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "nobody"):
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                continue
        raise RuntimeError("no unprivileged user to run PostgreSQL as")

    def start_postgres(self, timeout: float = 60) -> None:
        if not self.own_postgres:
            return
        bin_dir = self.postgres_bin()
        user = self._postgres_user()
        pgdata = self.data_dir / "postgres"
        secrets_file = self.data_dir / "postgres-secrets.json"
        if user:  # root: PostgreSQL runs as `user`, which must reach its data directory
            self.data_dir.mkdir(parents=True, exist_ok=True)
            entry = pwd.getpwnam(user)
            for folder in let_traverse(self.data_dir, entry.pw_uid, entry.pw_gid):
                print(f"(let user {user} pass through {folder}: search permission only)",
                      file=sys.stderr)
        if not (pgdata / "PG_VERSION").exists():
            self._initdb(bin_dir, pgdata, user, secrets_file)
        passwords = json.loads(secrets_file.read_text())
        self._spawn("postgres", [str(bin_dir / "postgres"), "-D", str(pgdata),
                                 "-p", str(self.postgres_port),
                                 "-c", f"listen_addresses={LOOPBACK}",
                                 "-c", "unix_socket_directories=",
                                 "-c", "max_connections=200"], user=user, cwd=pgdata)
        import psycopg2

        def ready() -> bool:
            psycopg2.connect(host=LOOPBACK, port=self.postgres_port, user="postgres",
                             password=passwords["postgres"], dbname="postgres",
                             connect_timeout=2).close()
            return True

        wait_until(ready, timeout, "PostgreSQL", self.services["postgres"])
        self._create_database(passwords)
        server = f"postgresql://rasa:{passwords['rasa']}@{LOOPBACK}:{self.postgres_port}"
        self.tracker_store_url = f"{server}/rasa"
        self.analytics_url = self.analytics_url or f"{server}/analytics"

    def _initdb(self, bin_dir: Path, pgdata: Path, user: Optional[str], secrets_file: Path
                ) -> None:
        passwords = {"postgres": secrets.token_urlsafe(18), "rasa": secrets.token_urlsafe(18)}
        secrets_file.touch(mode=0o600)
        secrets_file.write_text(json.dumps(passwords))
        if pgdata.exists():
            shutil.rmtree(pgdata)
        pgdata.mkdir(parents=True, mode=0o700)
        pwfile = self.data_dir / ".pg-pwfile"
        pwfile.touch(mode=0o600)
        pwfile.write_text(passwords["postgres"] + "\n")
        if user:
            entry = pwd.getpwnam(user)
            for path in (pgdata, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        try:
            subprocess.run([str(bin_dir / "initdb"), "-D", str(pgdata), "-U", "postgres",
                            "--pwfile", str(pwfile), "--auth", "scram-sha-256",
                            "-E", "UTF8", "--locale", "C.UTF-8"],
                           **as_user(user), cwd=pgdata, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        except subprocess.CalledProcessError as error:
            raise RuntimeError(f"initdb failed: {error.stderr.decode()}") from error
        finally:
            pwfile.unlink()

    def _create_database(self, passwords: Dict[str, str]) -> None:
        import psycopg2
        conn = psycopg2.connect(host=LOOPBACK, port=self.postgres_port, user="postgres",
                                password=passwords["postgres"], dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = 'rasa'")
            if not cur.fetchone():
                cur.execute("CREATE ROLE rasa LOGIN PASSWORD %s", (passwords["rasa"],))
            for database in ("rasa", "analytics"):  # conversations; the event broker's
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
                if not cur.fetchone():
                    cur.execute(f"CREATE DATABASE {database} OWNER rasa")
        conn.close()

    def stop_postgres(self) -> None:
        self._stop_services("postgres")

    # -- Redis -------------------------------------------------------------------------------

    def start_redis(self, timeout: float = 30) -> None:
        if not self.own_redis:
            return
        redis_dir = self.data_dir / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        # Locks only: nothing worth persisting (the lock store survives losing them).
        proc = self._spawn("redis", ["redis-server", "--bind", LOOPBACK,
                                     "--port", str(self.redis_port), "--save", "",
                                     "--appendonly", "no", "--daemonize", "no",
                                     "--dir", str(redis_dir)])
        import redis

        def ready() -> bool:
            return redis.Redis(host=LOOPBACK, port=self.redis_port, socket_timeout=1).ping()

        wait_until(ready, timeout, "Redis", proc)

    def stop_redis(self) -> None:
        self._stop_services("redis")

    # -- nginx -------------------------------------------------------------------------------

    def nginx_conf(self) -> str:
        run_dir = self.data_dir / "nginx"
        servers = "\n".join(f"        server {LOOPBACK}:{p} max_fails=1 fail_timeout=3s;"
                            for p in self.rasa_ports)
        actions = "\n".join(f"        server {LOOPBACK}:{p} max_fails=1 fail_timeout=3s;"
                            for p in self.action_ports)
        values = {
            "USER_DIRECTIVE": "user nobody nogroup;" if os.geteuid() == 0 else "",
            "RUN_DIR": str(run_dir), "LISTEN": LOOPBACK, "PORT": str(self.port),
            "ACTION_PORT": str(self.action_port), "RASA_SERVERS": servers,
            "ACTION_SERVERS": actions,
        }
        text = NGINX_TEMPLATE.read_text()
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        if "{{" in text:
            raise ValueError(f"unfilled placeholder in {NGINX_TEMPLATE}")
        return text

    def write_nginx_conf(self) -> List[str]:
        """Writes and checks nginx's configuration; returns the command that runs nginx."""
        run_dir = self.data_dir / "nginx"
        run_dir.mkdir(parents=True, exist_ok=True)
        conf = run_dir / "nginx.conf"
        conf.write_text(self.nginx_conf())
        args = ["nginx", "-p", str(run_dir), "-c", str(conf), "-e", str(run_dir / "error.log")]
        check = subprocess.run([*args, "-t", "-q"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx rejected {conf}: {check.stderr}")
        return args

    def start_nginx(self, timeout: float = 30) -> None:
        proc = self._spawn("nginx", self.write_nginx_conf())
        wait_http(self.url + "/", timeout, proc)

    def stop_nginx(self) -> None:
        self._stop_services("nginx")

    # -- Rasa and action servers ------------------------------------------------------------

    def start_actions(self) -> None:
        env = self.rasa_env()
        for i, port in enumerate(self.action_ports):
            stack = LoopbackStack(0, port, env=env, log_dir=self.logs / f"actions-{i + 1}",
                                  inherit=self.inherit)
            self.actions.append(stack)
            stack.start_actions()

    def rasa_stack(self, index: int) -> Stack:
        return LoopbackStack(self.rasa_ports[index], self.action_port, env=self.rasa_env(),
                             log_dir=self.logs / f"rasa-{index + 1}", inherit=self.inherit)

    def start_rasa_servers(self, timeout: float = 400) -> None:
        """All at once: loading the model is what takes time, and they share it out."""
        self.rasa = [self.rasa_stack(i) for i in range(len(self.rasa_ports))]
        errors: List[BaseException] = []

        def start(stack: Stack) -> None:
            try:
                stack.start_rasa(timeout)
            except BaseException as error:  # noqa: BLE001 (reported below)
                errors.append(error)

        threads = [threading.Thread(target=start, args=(s,), daemon=True) for s in self.rasa]
        self.starting += threads  # stop() waits for them
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    def rasa_proc(self, index: int) -> Optional[subprocess.Popen]:
        procs = self.rasa[index].procs
        return procs[-1] if procs else None

    def kill_rasa(self, index: int) -> None:
        """Kills one Rasa server at once (SIGKILL), as a crash would."""
        proc = self.rasa_proc(index)
        if proc is not None:
            os.killpg(proc.pid, signal.SIGKILL)
            self.rasa[index].stop_process(proc)

    def restart_rasa(self, index: int, timeout: float = 400) -> None:
        """Starts Rasa server `index` again; returns once nginx sends it requests again (a
        server that refused a connection is out of rotation for fail_timeout, and back only when
        a request to it succeeds: deploy/nginx.conf.template)."""
        if self.stopping.is_set():
            raise RuntimeError("the cluster is stopping")
        proc = self.rasa[index].start_rasa(timeout)
        if "nginx" in self.services:
            self.wait_routed(index, timeout=60, proc=proc)

    def answered_by(self) -> str:
        """The Rasa server (host:port) that answers a request through nginx now: X-Upstream,
        the last server tried."""
        with urllib.request.urlopen(self.url + "/", timeout=10) as response:
            return response.headers.get("X-Upstream", "").split(",")[-1].strip()

    def wait_routed(self, index: int, timeout: float = 60,
                    proc: Optional[subprocess.Popen] = None) -> None:
        """Until nginx sends a request to Rasa server `index` (round-robin: one of the next
        few requests, once the server is in rotation)."""
        address = f"{LOOPBACK}:{self.rasa_ports[index]}"
        wait_until(lambda: self.answered_by() == address, timeout,
                   f"nginx routing to Rasa server {index + 1} ({address})", proc)

    def start_widget(self) -> Optional[int]:
        """The demo page with the website widget, talking to nginx, as `make run` shows it; and
        the insights page, if INSIGHTS_TOKEN is set."""
        env = self.rasa_env()
        env.setdefault("WIDGET_HOST", LOOPBACK)  # like everything else here
        self.front = Stack(self.port, self.action_port, env=env, log_dir=self.logs / "widget",
                           inherit=self.inherit)
        if not hasattr(self.front, "start_widget"):
            return None
        self.front.start_widget()
        self.front.start_insights()
        return getattr(self.front, "widget_port", None)

    # -- all together ------------------------------------------------------------------------

    def check_programs(self) -> None:
        missing = [name for name, needed in (("nginx", True), ("redis-server", self.own_redis))
                   if needed and not shutil.which(name)]
        if missing:
            raise RuntimeError(f"{', '.join(missing)} not installed: run scripts/setup-system")
        if self.own_postgres:
            self.postgres_bin()

    def check_ports(self) -> None:
        wanted = {"nginx": self.port, "nginx (actions)": self.action_port}
        wanted.update({f"Rasa server {i + 1}": p for i, p in enumerate(self.rasa_ports)})
        wanted.update({f"action server {i + 1}": p for i, p in enumerate(self.action_ports)})
        if self.own_postgres:
            wanted["PostgreSQL"] = self.postgres_port
        if self.own_redis:
            wanted["Redis"] = self.redis_port
        busy = [f"{name} ({port})" for name, port in wanted.items() if not port_free(port)]
        if busy:
            raise RuntimeError("ports already in use on 127.0.0.1: " + ", ".join(busy))

    def start(self, log=lambda message: None) -> "Cluster":
        self.stopping.clear()
        try:
            self.check_programs()
            self.check_ports()
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.write_nginx_conf()  # a broken configuration fails before the slow part
            log(f"Starting PostgreSQL on port {self.postgres_port} ..." if self.own_postgres
                else "Using the tracker store at TRACKER_STORE_URL")
            self.start_postgres()
            log(f"Starting Redis on port {self.redis_port} ..." if self.own_redis
                else f"Using the Redis at {self.env['REDIS_HOST']}")
            self.start_redis()
            log(f"Starting {len(self.action_ports)} action server(s) on port(s) "
                f"{', '.join(map(str, self.action_ports))} ...")
            self.start_actions()
            log(f"Starting {len(self.rasa_ports)} Rasa servers on ports "
                f"{', '.join(map(str, self.rasa_ports))} (about a minute) ...")
            self.start_rasa_servers()
            log(f"Starting nginx on port {self.port} ...")
            self.start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> List[subprocess.Popen]:
        """Stops everything: nginx first (no new requests), then the Rasa, widget and action
        servers, with any Rasa server still starting, then Redis and PostgreSQL; each step
        waits until its processes are gone (SIGKILL after their time). An interruption
        (KeyboardInterrupt, SystemExit) does not cut it short: it is raised at the end.
        Returns the processes that would not die (normally none)."""
        self.stopping.set()
        left: List[subprocess.Popen] = []
        interruption: Optional[BaseException] = None
        for step in (lambda: self._stop_services("nginx"), self._stop_servers,
                     lambda: self._stop_services("redis", "postgres")):
            while True:
                try:
                    left += step()
                    break
                except BaseException as error:  # noqa: BLE001 (finish stopping first)
                    interruption = interruption or error
        if interruption is not None:
            raise interruption
        return left

    def _stop_servers(self, timeout: float = 60) -> List[subprocess.Popen]:
        """The Rasa, widget and action servers, all at once; and the Rasa servers that threads
        are starting: their start fails once their server is stopped, so stop until no such
        thread is left."""
        deadline = time.monotonic() + timeout
        while True:
            stacks = [*self.rasa, *([self.front] if self.front else []), *self.actions]
            procs = [proc for stack in stacks for proc in stack.procs]
            left = stop_processes([(proc, signal.SIGTERM) for proc in procs])
            for stack in stacks:
                stack.procs = [proc for proc in stack.procs if proc in left]
            starting = [t for t in self.starting
                        if t.is_alive() and t is not threading.current_thread()]
            self.starting = starting
            if not starting or time.monotonic() > deadline:
                return left
            for thread in starting:
                thread.join(0.5)


def main() -> int:
    """`make run-cluster`. A stop signal (SIGINT, SIGTERM, SIGHUP; once or repeatedly, to make or
    to its process group) stops everything (Cluster.stop), uninterrupted by further signals;
    then it dies of that signal. Exit status 1: something would not start, stopped unexpectedly
    or would not stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["run"])
    parser.parse_args()
    signals = StopSignals().install()  # SIGINT too, even if inherited ignored
    watch_parent()
    env = os.environ
    instances = int(env.get("RASA_INSTANCES") or 2)
    action_instances = int(env.get("ACTION_INSTANCES") or 1)
    rasa_base = int(env.get("CLUSTER_RASA_PORT") or 5011)
    action_base = int(env.get("CLUSTER_ACTION_PORT") or 5061)
    data_dir = Path(env.get("DATA_DIR") or ROOT / "var" / "cluster")
    cluster = Cluster(data_dir, port=int(env.get("RASA_PORT") or 5005),
                      rasa_ports=[rasa_base + i for i in range(instances)],
                      action_port=int(env.get("ACTION_PORT") or 5055),
                      action_ports=[action_base + i for i in range(action_instances)],
                      postgres_port=int(env.get("POSTGRES_PORT") or 5432),
                      redis_port=int(env.get("REDIS_PORT") or 6379))
    started = False
    code = 0
    left: List[subprocess.Popen] = []
    try:
        with signals.interruptible():
            cluster.start(log=lambda message: print(message, flush=True))
            started = True
            widget_port = cluster.start_widget()
            website = (f"  Website:  http://localhost:{widget_port} (a demo clinic page with "
                       f"the chat widget)\n" if widget_port else "")
            insights_port = getattr(cluster.front, "insights_port", None)
            website += (f"  Insights: http://localhost:{insights_port} (staff only: log in with "
                        f"INSIGHTS_TOKEN)\n" if insights_port else "")
            api = ("  API:      " + cluster.url +
                   "/conversations/<id>/tracker?token=$RASA_API_TOKEN\n"
                   if env.get("RASA_API_TOKEN") else "")
            print(f"""
The cluster is ready: {len(cluster.rasa_ports)} Rasa servers behind nginx on port {cluster.port}.
{website}  REST:     curl -s -X POST {cluster.url}/webhooks/rest/webhook \\
              -H 'Content-Type: application/json' \\
              -d '{{"sender": "me", "message": "What is an MRI?"}}'
  socketio: {cluster.url}/socket.io (the website widget's channel)
{api}  Data and logs: {cluster.data_dir}
A Rasa server that stops is restarted. Press Ctrl-C to stop everything.
""", flush=True)
            code = supervise(cluster)
    except StopRequested:
        pass
    except (RuntimeError, TimeoutError) as error:
        print(f"run-cluster: {error}", file=sys.stderr)
        code = 1
    finally:  # no stop signal interrupts this (they are only recorded from here on)
        if started or signals.signum is not None:
            print("Stopping ...", flush=True)
        left = cluster.stop()
    if left:
        print("Could not stop process(es) " + ", ".join(str(p.pid) for p in left),
              file=sys.stderr, flush=True)
        return 1
    if started or signals.signum is not None:
        print("Stopped.", flush=True)
    return signals.exit_code(code)


def supervise(cluster: Cluster) -> int:
    """Restarts Rasa servers that stop; anything else stopping ends the run."""
    restarting: Dict[int, threading.Thread] = {}
    while True:
        for name, proc in cluster.services.items():
            if proc.poll() is not None:
                print(f"{name} stopped unexpectedly (see {cluster.logs}); stopping everything.",
                      file=sys.stderr)
                return 1
        others = [*cluster.actions, *([cluster.front] if cluster.front else [])]
        if any(p.poll() is not None for s in others for p in s.procs):
            print("An action server or the widget server stopped; stopping everything.",
                  file=sys.stderr)
            return 1
        for i in range(len(cluster.rasa)):
            proc = cluster.rasa_proc(i)
            busy = i in restarting and restarting[i].is_alive()
            if not busy and (proc is None or proc.poll() is not None):
                print(f"Rasa server {i + 1} stopped; restarting it (nginx sends its traffic "
                      f"to the others meanwhile).", file=sys.stderr, flush=True)
                if proc is not None:
                    cluster.rasa[i].stop_process(proc)
                restarting[i] = threading.Thread(target=_restart, args=(cluster, i), daemon=True)
                cluster.starting.append(restarting[i])  # Cluster.stop() waits for it
                restarting[i].start()
        time.sleep(1)


def _restart(cluster: Cluster, index: int) -> None:
    try:
        cluster.restart_rasa(index)
        print(f"Rasa server {index + 1} is back (nginx sends it requests again).", flush=True)
    except (RuntimeError, TimeoutError) as error:
        if cluster.stopping.is_set():
            return
        print(f"Rasa server {index + 1} did not restart: {error}", file=sys.stderr, flush=True)
        cluster.stopping.wait(10)  # the supervisor tries again 10 s on, unless we stop


if __name__ == "__main__":
    sys.exit(main())
