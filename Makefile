# The two commands a fresh machine needs; each sets itself up first (scripts/bootstrap).
VENV ?= .venv
PY := $(VENV)/bin/python
SEED ?= 1
DURATION ?= 60

.PHONY: setup run test bench clean
setup:
	@bash scripts/bootstrap

run: setup
	$(VENV)/bin/soundcheck run --backend sim --duration $(DURATION) --seed $(SEED)

test: setup
	$(PY) -m pytest -n auto -p no:cacheprovider

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) reports/runs
