# faceswap_kit — every target sets up .venv itself on first use.
#   make demo   run the end-to-end main job on generated people (writes to out/demo)
#   make test   lint + the test suite (CPU, a few minutes)
#   make lab    open JupyterLab on the notebooks

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# torch 2.13.0: a CPU build here; elsewhere pip picks the build for the platform. If the Python
# that creates the venv already has torch (CUDA/MPS), the venv sees it and keeps it.
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.installed
DEMO_DIR ?= out/demo
PYTEST_ARGS ?=

.PHONY: all venv demo test test-slow test-browser lint format lab bench clean

all: test

$(STAMP): pyproject.toml
	@if [ ! -x "$(PY)" ]; then \
	  if $(PYTHON) -c "import torch" >/dev/null 2>&1; then \
	    echo "Using the torch already installed for $(PYTHON)"; \
	    $(PYTHON) -m venv --system-site-packages $(VENV); \
	  else \
	    $(PYTHON) -m venv $(VENV); \
	  fi; \
	fi
	$(PY) -m pip install --quiet --upgrade "pip>=24" setuptools wheel
	$(PY) -c "import torch" >/dev/null 2>&1 || $(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (faceswap_kit)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/faceswap-kit demo $(DEMO_DIR)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(PY) -m pytest -m "slow" $(PYTEST_ARGS) || [ $$? -eq 5 ]  # 5: none marked slow yet

test-browser: $(STAMP)
	$(PY) -m pytest -m "browser" $(PYTEST_ARGS)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
