# Two commands: `make demo` and `make test`. Everything installs into ./.venv, at the versions
# pinned in constraints.txt (pyproject.toml's extras only declare ranges).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONSTRAINTS := constraints.txt
INSTALL := $(PY) -m pip install --quiet -c $(CONSTRAINTS)
DEMO_EXTRAS ?= keras,torch,sklearn
TEST_EXTRAS ?= dev,keras,sklearn,torch,tensorflow,jax,bench,dask,ray,lightgbm
# The full suite runs on Keras' torch backend; the Keras tests (keras-tuner compatibility, the
# optimizer-state continuation, the demo's model) run again on each of these backends, except
# those marked backend_independent (tests/compat/conftest.py says which, and why).
KERAS_BACKENDS ?= tensorflow jax
KERAS_TESTS := tests/compat tests/integrations/test_keras_continuation.py \
	tests/integrations/test_keras_weights_after_fit.py \
	tests/integrations/test_keras_backends.py tests/examples/test_demo.py
# Tests run in this many pytest-xdist processes (2 saved a third of the suite's time on the
# 2-core CI machine: many tests wait on subprocesses); PYTEST_WORKERS=0 runs them in one.
# --dist loadgroup keeps tests that share costly set-up in one process (tests/conftest.py marks
# them: a doc file's blocks, the Ray session, a module's Dask cluster), so it is built once.
PYTEST_WORKERS ?= 2
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadgroup
DEMO_STAMP := $(VENV)/.installed-demo
TEST_STAMP := $(VENV)/.installed-test

export KERAS_BACKEND ?= torch

.PHONY: demo test lint typecheck venv clean bench chromium

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# what examples/demo.py needs: rung, Keras on torch, scikit-learn (the digits data)
$(DEMO_STAMP): pyproject.toml $(CONSTRAINTS) | $(PY)
	$(INSTALL) -e ".[$(DEMO_EXTRAS)]"
	touch $@

# everything the tests, linters and benchmarks need (a superset of the demo's)
$(TEST_STAMP): pyproject.toml $(CONSTRAINTS) | $(PY)
	$(INSTALL) -e ".[$(TEST_EXTRAS)]"
	touch $@

venv: $(TEST_STAMP)

# The browser tests (tests/report/test_browser.py) drive Debian's Chromium through Playwright
# (never `playwright install`, which would download a browser of its own). Installed here when
# missing, with sudo unless root; the tests fail, saying how to install it, when it is absent.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "== installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

demo: $(DEMO_STAMP)
	$(PY) examples/demo.py

test: $(TEST_STAMP) chromium
	$(PY) -m ruff check src tests benchmarks examples tools
	$(PY) -m mypy
	KERAS_BACKEND=torch $(PY) -m pytest $(PYTEST_XDIST)
	@for backend in $(KERAS_BACKENDS); do \
		echo "== the Keras tests on the $$backend backend"; \
		KERAS_BACKEND=$$backend $(PY) -m pytest $(PYTEST_XDIST) -m "not backend_independent" \
			$(KERAS_TESTS) || exit 1; \
	done

lint: $(TEST_STAMP)
	$(PY) -m ruff check src tests benchmarks examples

typecheck: $(TEST_STAMP)
	$(PY) -m mypy

bench: $(TEST_STAMP)
	$(PY) benchmarks/overhead.py

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache
