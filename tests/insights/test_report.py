"""`make report` (python -m insights.report) on a store holding the recorded events: one file,
with everything inline and nothing from outside, the counts in it, the export audited."""
import getpass
import json
import os
import re
import stat
import subprocess
import sys

import sqlalchemy as sa

from common.settings import ROOT, analytics_url
from insights import store
from tests.insights.service_process import recorded_store, service_env
from tests.insights.stores import recorded_day

DAY = str(recorded_day())
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
DATA = re.compile(r'<script type="application/json" id="insights-data">(.*?)</script>', re.S)


def test_report_is_one_offline_file_with_the_counts(tmp_path):
    data_dir = tmp_path / "data"
    recorded_store(data_dir)
    output = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "insights.report", "--from", DAY, "--to", DAY,
                           "--output", str(output)], cwd=ROOT, env=service_env(data_dir),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    document = output.read_text()
    assert not EXTERNAL.search(document)
    assert "<link" not in document and "<script src" not in document
    assert "default-src 'none'" in document  # its own CSP: nothing can be loaded
    assert "<dt>Conversations</dt><dd>4</dd>" in document
    assert "<dt>Messages from patients</dt><dd>24</dd>" in document
    assert '<th scope="row">mri_what</th><td>what is an mri</td><td>1</td>' in document
    assert "what&#x27;s the weather in Paris" in document
    assert "@media print" in document and "new Chart(" in document
    charts = json.loads(DATA.search(document).group(1))["charts"]
    assert charts["levels"]["series"][0]["values"] == [1, 0, 0, 1]
    assert dict(zip(charts["stopped"]["labels"], charts["stopped"]["series"][0]["values"],
                    strict=True))["3. Leg weakness"] == 1
    engine = store.engine_for(analytics_url({"DATA_DIR": str(data_dir)}))
    try:
        with engine.connect() as connection:
            audit = connection.execute(sa.select(
                store.AUDIT.c.who, store.AUDIT.c.action, store.AUDIT.c.address)).all()
    finally:
        engine.dispose()
    assert audit == [(getpass.getuser(), "export", "command line")]


def test_bad_dates_are_refused(tmp_path):
    done = subprocess.run([sys.executable, "-m", "insights.report", "--from", DAY, "--to",
                           "2000-01-01"], cwd=ROOT, env=service_env(tmp_path / "data"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "must not be after" in done.stderr
