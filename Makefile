# Every target sets itself up: .venv with the pinned dependencies, then a trained model if the
# data, config or domain changed. PYTHON=/path/to/python3.10 overrides the interpreter search.
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHON

.PHONY: setup system widget insights-web train run shell test test-unit lint bench purge report
.PHONY: run-cluster bench-cluster

setup:
	@scripts/setup-venv

# Debian packages the tests need (scripts/setup-system lists them; installs only what is missing).
system:
	@scripts/setup-system

# The website widget: socket.io-client from npm (widget/package-lock.json) bundled with the widget
# into widget/dist/chat-widget.js; rebuilt only when its inputs change.
WIDGET_BUNDLE := widget/dist/chat-widget.js
widget: $(WIDGET_BUNDLE)
$(WIDGET_BUNDLE): widget/package.json widget/package-lock.json widget/build.mjs $(wildcard widget/src/*)
	@cd widget && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

# The insights page's charts: Chart.js from npm (insights/web/package-lock.json) bundled with the
# page's script into insights/web/dist/insights.js (and its stylesheet); rebuilt only when its
# inputs change.
INSIGHTS_BUNDLE := insights/web/dist/insights.js
insights-web: $(INSIGHTS_BUNDLE)
$(INSIGHTS_BUNDLE): insights/web/package.json insights/web/package-lock.json insights/web/build.mjs $(wildcard insights/web/src/*)
	@cd insights/web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

train: setup
	@$(PY) -m scripts.train

# exec: make's child is Python itself, which gets the SIGTERM make passes on and stops the
# servers cleanly on any stop signal to make or its group (scripts/stack.py, StopSignals).
run: train widget insights-web
	@exec $(PY) -m scripts.stack run

shell: train
	@exec $(PY) -m scripts.stack shell

# The whole suite: lint, then every test (real servers, PostgreSQL, Redis, nginx, Chromium).
test: system train widget insights-web lint
	$(PY) -m pytest

# The tests that need no server, no model and no browser (tests mirroring actions/, common/,
# rasa_server/ and scripts/, and domain.yml's contract with the code): about 15 s.
UNIT_TESTS := tests/actions tests/common tests/rasa_server tests/scripts tests/test_domain_contract.py
test-unit: setup
	$(PY) -m pytest $(UNIT_TESTS)

# ruff, configured in pyproject.toml
lint: setup
	.venv/bin/ruff check .

bench: train
	$(PY) -m bench

# Several Rasa servers behind nginx on :5005, PostgreSQL tracker store, Redis lock store, all on
# loopback (README: "Running several Rasa servers"): RASA_INSTANCES [2]; data and logs in
# DATA_DIR [var/cluster].
run-cluster: system train widget insights-web
	@exec $(PY) -m scripts.cluster run

# The cluster with 1, 2 and 3 Rasa servers under load: results/bench-cluster.json
bench-cluster: system train
	$(PY) -m bench.cluster

# Deletes stored conversations older than RETENTION_DAYS [30] (scripts/purge.py; `make run` also
# purges at start and every 6 hours). --dry-run only counts: make purge PURGE_ARGS=--dry-run
purge: setup
	@$(PY) -m scripts.purge $(PURGE_ARGS)

# The insights of a period as one offline HTML file, results/insights-report-FROM-TO.html
# (insights/report.py): make report FROM=YYYY-MM-DD TO=YYYY-MM-DD [CHANNEL=socketio]; by default
# the last 30 days.
report: setup insights-web
	@$(PY) -m insights.report $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO)) $(if $(CHANNEL),--channel $(CHANNEL))
