# seatunnel-py: the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PIP     = $(VENV)/bin/pip
# downloads are cached outside the checkout so clean clones (CI) reuse them
CACHE  ?= $(HOME)/.cache/seatunnel-py
export PIP_CACHE_DIR = $(CACHE)/pip
export PIP_DISABLE_PIP_VERSION_CHECK = 1
CONNECTORS = $(sort $(dir $(wildcard connectors/*/pyproject.toml)))

.PHONY: install install-test demo test lint unit docs bench clean image

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# editable installs: code changes need no reinstall, only packaging files do
$(VENV)/.installed: $(VENV)/bin/activate pyproject.toml $(wildcard connectors/*/pyproject.toml)
	$(PIP) install -q -e . $(foreach c,$(CONNECTORS),-e $(c))
	@# editable installs are not byte-compiled (and PYTHONDONTWRITEBYTECODE may be set):
	@# without this every run compiles the project's modules again, ~0.1 s of start-up
	$(PY) -m compileall -q seatunnel_py connectors > /dev/null
	@touch $@

# each connector's `test` extra holds what its own tests need (e.g. chdb behind the ClickHouse HTTP front)
$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -q -e '.[test]' $(foreach c,$(CONNECTORS),-e '$(c)[test]')
	@touch $@

install: $(VENV)/.installed  ## create .venv and install the core and every connector
	@echo "installed: $(VENV)/bin/seatunnel-py"

install-test: $(VENV)/.installed-test  ## install what the tests need

demo: install  ## run the quick-start job (no servers needed)
	$(VENV)/bin/seatunnel-py run --ignore-state configs/quickstart.conf

lint: install-test  ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy seatunnel_py $(dir $(wildcard connectors/*/seatunnel_py_*/__init__.py))

unit: install-test  ## the test suite only (services must already run)
	$(PY) -m pytest -q

test: install-test  ## install, start the services the tests need, run lint and the whole suite
	bash integration/services.sh start
	$(MAKE) lint
	$(PY) -m pytest -q

# the container image (docs/containers.md): IMAGE=name:tag, IMAGE_CONNECTORS="files jdbc" (default: all);
# on our machines deploy/image.sh also installs and starts the Docker engine and makes the base image
IMAGE ?= seatunnel-py:latest
image: $(VENV)/bin/activate  ## build the container image from the Dockerfile
	IMAGE='$(IMAGE)' $(if $(IMAGE_CONNECTORS),CONNECTORS='$(IMAGE_CONNECTORS)') bash deploy/image.sh

docs: install  ## regenerate docs/reference from the plugins' option models
	$(VENV)/bin/seatunnel-py plugins docs docs/reference

bench: install  ## benchmarks with their baselines, printed as a table
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
