"""Trains models/assistant.tar.gz only when what the model is built from changed since.

What it is built from is derived: config.yml, domain.yml, data/, requirements.lock, the
project's code that config.yml's custom components import (followed through their imports),
with the data files in those code folders (the language layer's lexicon and rules), and the
folders a step names as its `corpus` (the recall net learns from tests/language/)."""
import ast
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable, List, Set

import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "assistant.tar.gz"
STAMP = ROOT / "models" / ".trained-from"
CONFIG = ROOT / "config.yml"
DATA_INPUTS = ["config.yml", "domain.yml", "data", "requirements.lock"]


def module_file(module: str) -> Path:
    """The project file of a dotted module name (a package's __init__.py), or a missing path."""
    path = ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def imported_modules(file: Path, module: str) -> Iterable[str]:
    """The modules a file imports and their packages (names that are not modules included)."""
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            parts = name.split(".")
            yield from (".".join(parts[:i]) for i in range(1, len(parts) + 1))


def pipeline() -> List[dict]:
    """config.yml's NLU pipeline steps."""
    return yaml.safe_load(CONFIG.read_text())["pipeline"]


def component_code() -> List[Path]:
    """The project's files config.yml's custom components need: their modules, the project
    modules those import, and the other (data) files in the folders of those modules."""
    names = [step["name"] for step in pipeline() if "." in step["name"]]
    todo = [name.rpartition(".")[0] for name in names]
    seen: Set[str] = set()
    files: Set[Path] = set()
    while todo:
        module = todo.pop()
        file = module_file(module)
        if module in seen or not file.is_file():
            continue
        seen.add(module)
        files.add(file)
        files.update(p for p in file.parent.iterdir() if p.is_file() and p.suffix != ".py")
        todo.extend(imported_modules(file, module))
    return sorted(files)


def corpus_folders() -> List[str]:
    """The folders config.yml's pipeline steps learn from besides Rasa's data."""
    return [step["corpus"] for step in pipeline() if "corpus" in step]


def fingerprint() -> str:
    digest = hashlib.sha256()
    inputs: List[Path] = []
    for name in DATA_INPUTS + corpus_folders():
        path = ROOT / name
        inputs += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in [*inputs, *component_code()]:
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
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false",
               TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    # No training cache: every training is a whole one, so the time `make bench` reports is real.
    env.setdefault("RASA_MAX_CACHE_SIZE", "0")
    MODEL.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=MODEL.parent, prefix=".training-") as out:
        rc = subprocess.call(
            # --skip-validation: `make test` runs the stricter
            # `rasa data validate --fail-on-warnings`
            [str(Path(sys.executable).parent / "rasa"), "train", "--fixed-model-name",
             "assistant", "--out", out, "--force", "--skip-validation"],
            cwd=ROOT, env=env,
        )
        if rc != 0:
            return rc
        # in one step: a server starting meanwhile loads the old model or the new one whole
        os.replace(Path(out) / MODEL.name, MODEL)
    STAMP.write_text(want + "\n")
    (ROOT / "models" / ".training-seconds").write_text(f"{time.monotonic() - started:.1f}\n")
    print(f"Trained in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
