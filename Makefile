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
# optimizer-state continuation, the demo's model) run again on each of these backends.
KERAS_BACKENDS ?= tensorflow jax
KERAS_TESTS := tests/compat tests/integrations/test_keras_continuation.py tests/examples/test_demo.py
DEMO_STAMP := $(VENV)/.installed-demo
TEST_STAMP := $(VENV)/.installed-test

export KERAS_BACKEND ?= torch

.PHONY: demo test lint typecheck venv clean bench

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

demo: $(DEMO_STAMP)
	$(PY) examples/demo.py

test: $(TEST_STAMP)
	$(PY) -m ruff check src tests benchmarks examples tools
	$(PY) -m mypy
	KERAS_BACKEND=torch $(PY) -m pytest
	@for backend in $(KERAS_BACKENDS); do \
		echo "== the Keras tests on the $$backend backend"; \
		KERAS_BACKEND=$$backend $(PY) -m pytest $(KERAS_TESTS) || exit 1; \
	done

lint: $(TEST_STAMP)
	$(PY) -m ruff check src tests benchmarks examples

typecheck: $(TEST_STAMP)
	$(PY) -m mypy

bench: $(TEST_STAMP)
	$(PY) benchmarks/overhead.py

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache
