"""Trains models/assistant.tar.gz only when what the model is built from changed since."""
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "assistant.tar.gz"
STAMP = ROOT / "models" / ".trained-from"
INPUTS = ["config.yml", "domain.yml", "data", "components", "actions/triage.py", "actions/answers.py",
          "requirements.lock"]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def main() -> int:
    want = fingerprint()
    if MODEL.exists() and STAMP.exists() and STAMP.read_text().strip() == want:
        print(f"Model is up to date: {MODEL.relative_to(ROOT)}")
        return 0
    print("Training the model (several minutes on 2 cores) ...", flush=True)
    started = time.monotonic()
    env = dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false",
               TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    # No training cache: every training is a whole one, so the time `make bench` reports is real.
    env.setdefault("RASA_MAX_CACHE_SIZE", "0")
    rc = subprocess.call(
        # --skip-validation: `make test` runs the stricter `rasa data validate --fail-on-warnings`
        [str(Path(sys.executable).parent / "rasa"), "train", "--fixed-model-name", "assistant",
         "--out", "models", "--force", "--skip-validation"],
        cwd=ROOT, env=env,
    )
    if rc != 0:
        return rc
    STAMP.write_text(want + "\n")
    (ROOT / "models" / ".training-seconds").write_text(f"{time.monotonic() - started:.1f}\n")
    print(f"Trained in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
