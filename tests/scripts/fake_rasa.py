"""A stand-in for the `rasa` command in a test virtualenv (tests/scripts/processes.py makes
one): `rasa run actions`, `rasa run` and `rasa shell` each answer HTTP GET with 200 on their
--port (at once: no model to load), so that the stop tests of `make run`, `make shell` and
`make run-cluster` take seconds instead of minutes. Like the real servers they need a moment to
stop after SIGTERM (FAKE_RASA_STOP_SECONDS [1]), during which a second signal may come; with
FAKE_RASA_WORKER=1 each leaves a worker process in its process group that ignores SIGTERM, as
a server's helper might (the stop must not leave it behind). FAKE_RASA_LOAD_SECONDS [0]: `rasa
run` and `rasa shell` answer only after that long, as if loading a model."""
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"fake rasa\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def option(args, name: str, default: str) -> str:
    return args[args.index(name) + 1] if name in args else default


def main(args) -> int:
    port = int(option(args, "--port", "5005"))
    host = option(args, "--interface", "127.0.0.1")
    server = ThreadingHTTPServer((host, port), Ok)
    stop_seconds = float(os.environ.get("FAKE_RASA_STOP_SECONDS") or 1)

    def on_term(signum, frame) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the stop has begun: it takes a moment
        threading.Thread(target=lambda: (time.sleep(stop_seconds), os._exit(0)),
                         daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
    if os.environ.get("FAKE_RASA_WORKER") == "1":
        subprocess.Popen([sys.executable, "-c",
                          "import signal, time\n"
                          "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                          "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                          "while True: time.sleep(60)\n"])
    if args[:2] != ["run", "actions"]:
        time.sleep(float(os.environ.get("FAKE_RASA_LOAD_SECONDS") or 0))  # "loading the model"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args[:1] == ["shell"]:
        print("Bot loaded. Type a message and press enter (use '/stop' to exit):", flush=True)
        while True:
            print("Your input ->  ", end="", flush=True)
            line = sys.stdin.readline()
            if not line or line.strip() == "/stop":
                return 0
            print(f"fake answer to {line.strip()!r}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
