# Saqbol — two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install demo test bench check-python clean redis-server i18n rasa rasa-install rasa-train rasa-serve nlu-train nlu-eval

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

## test: the whole test suite (installs redis-server; trains the Rasa sidecar when Python 3.10 is available)
test: install redis-server
	@if [ -n "$$($(PY) -m nlu.rasa_sidecar python)" ]; then \
		$(PY) -m nlu.rasa_sidecar train; \
	else \
		echo "NOTE: no Python 3.10 interpreter: the Rasa integration test will be SKIPPED (CI requires it)"; \
	fi
	$(PY) -m pytest

## bench: speed and memory figures (offer checker, NLU incl. Rasa when trained, bot through a fake Bot API)
bench: install redis-server
	$(PY) bench/bench_check.py
	$(PY) bench/bench_nlu.py
	$(PY) bench/bench_bot.py --no-limit --warm
	$(PY) bench/bench_relay.py
	$(PY) bench/bench_reload.py
	$(PY) bench/bench_screening.py
	$(PY) bench/bench_import.py

## rasa: install Rasa 3.6 in a cached Python 3.10 virtualenv and train it on nlu/ (cached by data hash)
rasa: rasa-train
rasa-install: install
	$(PY) -m nlu.rasa_sidecar install
rasa-train: install
	$(PY) -m nlu.rasa_sidecar train
## rasa-serve: run the Rasa NLU server on 127.0.0.1:5005 (SAQBOL_RASA_URL=http://127.0.0.1:5005)
rasa-serve: install
	$(PY) -m nlu.rasa_sidecar serve --port 5005

## nlu-train / nlu-eval: the embedded classifier (seconds)
nlu-train: install
	$(PY) -m bot.cli nlu train
nlu-eval: install
	$(PY) -m bot.cli nlu eval nlu/tests

## i18n: extract interface strings, update every catalog (no fuzzy guesses), check they compile
i18n: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k n_:1,2 --add-comments=Translators: --sort-by-file --no-location -o locales/messages.pot .
	$(VENV)/bin/pybabel update --no-fuzzy-matching -i locales/messages.pot -d locales
	$(VENV)/bin/pybabel compile -d locales --statistics
	@rm -f locales/*/LC_MESSAGES/messages.mo  # the bot compiles catalogs in memory; nothing to commit

## redis-server: the end-to-end tests start a real one (installed with apt-get when missing)
redis-server:
	@command -v redis-server >/dev/null || { \
		echo "installing redis-server with apt-get"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; }
	@command -v redis-server >/dev/null

clean:
	rm -rf $(VENV) .pytest_cache
