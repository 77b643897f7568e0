# Two commands for a newcomer (see README.md):
#   make demo   generate the fraud-detection project, run its whole lifecycle, then the loop
#   make test   run this repository's test suite, end-to-end tests included
# Both create .venv with the generator installed (uv) first. Only python3 (3.11+) and make are
# needed; `make bench` also installs wrk (Debian package) for the serving benchmark.

BOOTSTRAP_PYTHON ?= python3
VENV := .venv
DEMO := build/demo/my-fraud-project

.PHONY: demo test bench lint clean

$(VENV)/.installed: pyproject.toml
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip uv
	$(VENV)/bin/uv pip install --python $(VENV)/bin/python --quiet --compile-bytecode -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	rm -rf $(DEMO)
	$(VENV)/bin/mlops-new fraud-detection $(DEMO)
	$(MAKE) -C $(DEMO) setup run drift-demo

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check generator tests benchmarks hatch_build.py
	$(VENV)/bin/ruff format --check generator tests benchmarks hatch_build.py

bench: $(VENV)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(VENV)/bin/python benchmarks/run_all.py

clean:
	rm -rf build .cache
