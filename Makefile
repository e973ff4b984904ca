# Every target sets itself up: .venv with the pinned dependencies, then a trained model if the
# data, config or domain changed. PYTHON=/path/to/python3.10 overrides the interpreter search.
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHON

.PHONY: setup train run shell test bench

setup:
	@scripts/setup-venv

train: setup
	@$(PY) scripts/train.py

run: train
	@$(PY) scripts/stack.py run

shell: train
	@$(PY) scripts/stack.py shell

test: train
	$(PY) -m pytest

bench: train
	$(PY) -m bench
