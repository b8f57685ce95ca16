# Saqbol — two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install demo test bench check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Saqbol needs Python >= 3.11 (set PYTHON=python3.11)")'

$(STAMP): pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## demo: check a few offers in several languages (no token, Redis or Rasa needed)
demo: install
	$(PY) -m bot.demo

## test: the whole test suite
test: install
	$(PY) -m pytest

## bench: speed and memory figures (100,000-agency registry)
bench: install
	$(PY) bench/bench_check.py

clean:
	rm -rf $(VENV) .pytest_cache
