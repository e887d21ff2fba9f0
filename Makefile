# The two commands of the README:
#   make course   build the course website and print where to open it
#   make test     run the whole test suite
# Each creates .venv with pinned versions on first use; both are safe to re-run.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# PyPI's PyTorch for Linux is a CUDA build of several GB; the lock pins the CPU build ("+cpu"),
# which PyTorch's own index serves. pip asks that index for the torch line alone (one request),
# then installs the lock from PyPI.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: course test install clean

course: $(STAMP)
	$(BIN)/python course/build.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadscope

install: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "tensorslow_edu needs Python 3.10 or newer: run make PYTHON=python3.12 (or another 3.10+ interpreter)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	grep '^torch==' requirements/lock.txt > $(VENV)/torch-requirement.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --extra-index-url $(TORCH_INDEX) -r $(VENV)/torch-requirement.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

clean:
	rm -rf $(VENV) _build course/_build .pytest_cache
