"""Rasa's own checks of the training data and of conversation-level test stories."""
import subprocess
import sys
from pathlib import Path

from scripts.stack import MODEL, ROOT, stack_env

RASA = str(Path(sys.executable).parent / "rasa")


def rasa(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = stack_env(0, 0, {"DATA_DIR": str(tmp_path / "data")}, inherit=False)
    return subprocess.run([RASA, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)


def test_data_validates_without_warnings(tmp_path):
    result = rasa("data", "validate", "--fail-on-warnings", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_stories_predict_the_right_next_actions(tmp_path):
    out = tmp_path / "results"
    result = rasa("test", "core", "--model", str(MODEL), "--stories", "tests/test_stories.yml",
                  "--out", str(out), "--fail-on-prediction-errors", tmp_path=tmp_path)
    failed = out / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, details or (result.stdout[-3000:] + result.stderr[-3000:])
