"""`make bench-cluster`: the cluster (nginx, PostgreSQL, Redis, scripts/cluster.py) with 1, 2
and 3 Rasa servers under the same load; messages/s, latency p50/p95 and errors, printed and
written to results/bench-cluster.json.

The load: CONCURRENCY asyncio clients, each holding one conversation at a time (a greeting, a
FAQ, the start of the red-flag check, answers, a FAQ in the middle, "stop"), sending its next
message as soon as the previous one is answered, for MEASURE_S seconds after WARM_UP_S. Also
recorded: the CPU time each part of the cluster used in that window, in cores (2 on this
machine), and the machine's load average before each run (other work on the machine skews the
figures). Settings: BENCH_INSTANCES [1,2,3], BENCH_CONCURRENCY [16], BENCH_SECONDS [60].
"""
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List

import aiohttp

from scripts.cluster import Cluster
from scripts.stack import MODEL, ROOT, free_port

RESULTS = ROOT / "results" / "bench-cluster.json"
INSTANCES = [int(n) for n in os.environ.get("BENCH_INSTANCES", "1,2,3").split(",")]
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY") or 16)
MEASURE_S = float(os.environ.get("BENCH_SECONDS") or 60)
WARM_UP_S = 10.0
CONVERSATION = ["hello", "What is an MRI?", "check my symptoms", "no", "no", "no",
                "what is a CT scan?", "no", "stop", "is a ct scan safe", "thanks"]




def percentile(values: List[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if values else 0.0


class Load:
    """Clients that talk until told to stop; records (start, latency, ok, upstream)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.records: List[tuple] = []
        self.errors: Counter = Counter()
        self.stopping = False

    async def client(self, http: aiohttp.ClientSession, n: int) -> None:
        while not self.stopping:
            sender = f"bench-{n}-{uuid.uuid4().hex[:10]}"
            for text in CONVERSATION:
                if self.stopping:
                    return
                started = time.monotonic()
                upstream, ok = "", False
                try:
                    async with http.post(f"{self.url}/webhooks/rest/webhook",
                                         json={"sender": sender, "message": text}) as response:
                        body = await response.json(content_type=None)
                        upstream = response.headers.get("X-Upstream", "")
                        ok = response.status == 200 and bool(body)
                        if not ok:
                            self.errors[f"HTTP {response.status}"] += 1
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    self.errors[type(error).__name__] += 1
                self.records.append((started, time.monotonic() - started, ok, upstream))

    async def run(self, seconds: float) -> None:
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            clients = [asyncio.ensure_future(self.client(http, n)) for n in range(CONCURRENCY)]
            await asyncio.sleep(seconds)
            self.stopping = True
            await asyncio.gather(*clients)


def cpu_seconds_by_session() -> Dict[int, float]:
    """CPU time (user + system) of every process, summed per session (each service of the
    cluster is started in its own session)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: Dict[int, float] = Counter()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        totals[int(fields[3])] += (int(fields[11]) + int(fields[12])) / tick
    return totals


def sessions(cluster: Cluster) -> Dict[str, List[int]]:
    groups = {"rasa": [s.procs[-1].pid for s in cluster.rasa],
              "actions": [s.procs[-1].pid for s in cluster.actions]}
    for name in ("postgres", "redis", "nginx"):
        groups[name] = [cluster.services[name].pid]
    return groups


def measure(instances: int, run_dir: Path) -> Dict:
    cluster = Cluster(run_dir / f"cluster-{instances}", port=free_port(),
                      rasa_ports=[free_port() for _ in range(instances)],
                      action_port=free_port(), action_ports=[free_port()],
                      postgres_port=free_port(), redis_port=free_port(),
                      env={k: v for k, v in os.environ.items()
                           if k not in ("TRACKER_STORE_URL", "REDIS_HOST", "LOCK_STORE_TYPE",
                                        "DATA_DIR")})
    print(f"\n{instances} Rasa server(s): starting the cluster ...", flush=True)
    started = time.monotonic()
    cluster.start()
    try:
        startup = time.monotonic() - started
        load_before = os.getloadavg()[0]
        load = Load(cluster.url)
        groups = sessions(cluster)

        async def run() -> Dict[str, float]:
            clients = asyncio.ensure_future(load.run(WARM_UP_S + MEASURE_S))
            await asyncio.sleep(WARM_UP_S)
            before = cpu_seconds_by_session()
            await asyncio.sleep(MEASURE_S)
            after = cpu_seconds_by_session()
            await clients
            return {name: sum(after.get(s, 0) - before.get(s, 0) for s in ids) / MEASURE_S
                    for name, ids in groups.items()}

        print(f"{instances} Rasa server(s): {CONCURRENCY} clients for "
              f"{WARM_UP_S:.0f} + {MEASURE_S:.0f} s ...", flush=True)
        cores = asyncio.run(run())
    finally:
        cluster.stop()
    window_start = load.records[0][0] + WARM_UP_S if load.records else 0
    window = [r for r in load.records
              if window_start <= r[0] and r[0] + r[1] <= window_start + MEASURE_S]
    latencies = [r[1] for r in window if r[2]]
    return {
        "rasa_servers": instances,
        "clients": CONCURRENCY,
        "seconds": MEASURE_S,
        "messages": len(latencies),
        "messages_per_s": len(latencies) / MEASURE_S,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "errors": sum(1 for r in window if not r[2]),
        "error_kinds": dict(load.errors),
        "share_per_server": dict(Counter(r[3] for r in window if r[2])),
        "cpu_cores_used": {k: round(v, 2) for k, v in cores.items()},
        # CPU time per answered message: what bounds throughput on a fixed number of cores
        "rasa_cpu_ms_per_message": round(cores["rasa"] * MEASURE_S / max(len(latencies), 1)
                                         * 1000, 1),
        "cluster_cpu_ms_per_message": round(sum(cores.values()) * MEASURE_S
                                            / max(len(latencies), 1) * 1000, 1),
        "load_average_before": round(load_before, 2),
        "startup_s": round(startup, 1),
    }


def main() -> int:
    if not MODEL.exists():
        print("no trained model: run `make bench-cluster`", file=sys.stderr)
        return 1
    run_dir = Path(tempfile.mkdtemp(prefix="rasa-bench-cluster-"))
    run_dir.chmod(0o755)  # PostgreSQL runs as its own user
    runs = []
    try:
        for instances in INSTANCES:
            runs.append(measure(instances, run_dir))
            report(runs[-1:])
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    figures = {"machine": {"cores": os.cpu_count(),
                           "memory_gb": round(os.sysconf("SC_PAGE_SIZE")
                                              * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
               "conversation": CONVERSATION, "runs": runs}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))
    print("\nSummary")
    report(runs)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")
    return 0


def report(runs: List[Dict]) -> None:
    print(f"{'servers':>7} {'msg/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}  "
          f"{'cores used: rasa/actions/postgres/redis/nginx':<46} {'CPU ms/msg':>10} "
          f"{'load before':>11}")
    for r in runs:
        c = r["cpu_cores_used"]
        cpu = " / ".join(f"{c[k]:.2f}" for k in ("rasa", "actions", "postgres", "redis", "nginx"))
        print(f"{r['rasa_servers']:>7} {r['messages_per_s']:>7.1f} {r['p50_ms']:>8.0f} "
              f"{r['p95_ms']:>8.0f} {r['errors']:>6}  {cpu:<46} "
              f"{r['cluster_cpu_ms_per_message']:>10.0f} {r['load_average_before']:>11}")


if __name__ == "__main__":
    sys.exit(main())
