"""The action server runs without the Rasa server's code: it imports neither spaCy nor Rasa."""
import subprocess
import sys

from scripts.stack import ROOT


def test_the_action_package_imports_neither_spacy_nor_rasa():
    code = ("import sys, rasa_sdk.executor as e; ex = e.ActionExecutor(); "
            "ex.register_package('actions'); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'rasa', "
            "'rasa_server', 'medspacy', 'tensorflow'}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
