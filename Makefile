# The two commands a fresh machine needs; each sets itself up first (scripts/bootstrap).
VENV ?= .venv
PY := $(VENV)/bin/python
SEED ?= 1
DURATION ?= 60

.PHONY: setup run test bench mutation clean
setup:
	@bash scripts/bootstrap

run: setup
	$(VENV)/bin/soundcheck run --backend sim --duration $(DURATION) --seed $(SEED)

test: setup
	$(PY) -m pytest -n auto -p no:cacheprovider

bench: setup
	$(PY) bench/run_all.py

# Nightly, not CI: every module of system_under_test/ mutated one at a time (about an hour on
# 2 cores); one module: scripts/mutation MODULE. Scores go in MUTATION.md.
mutation: setup
	$(PY) scripts/mutation all --max-children 2

clean:
	rm -rf $(VENV) reports/runs
