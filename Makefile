# Two commands on a fresh clone (only Python 3.11 needed):
#   make demo   -- set up .venv and run the main job on built-in defaults
#   make test   -- set up .venv and run the default test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.uat-installed
# torch is pinned to the CPU build that lies on this machine's disk (never a CUDA build).
TORCH  := torch==2.13.0
JOBS   ?= 2
# Hot loops are many tiny matrix products: one BLAS thread per process is fastest.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: all setup demo test test-slow bench clean

all: test

# (Re)create the venv when it is absent or stale (broken interpreter or changed pyproject.toml).
$(STAMP): pyproject.toml
	@if ! $(VPY) -c "import sys; assert sys.version_info >= (3, 11)" >/dev/null 2>&1; then \
		echo "creating $(VENV) with $(PYTHON)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi
	$(VPY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(VPY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	MPLBACKEND=Agg $(VENV)/bin/uat demo

test: $(STAMP)
	MPLBACKEND=Agg $(VPY) -m pytest -q -n $(JOBS)

test-slow: $(STAMP)
	MPLBACKEND=Agg $(VPY) -m pytest -q -n $(JOBS) -m slow

bench: $(STAMP)
	MPLBACKEND=Agg $(VPY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
