# Two commands for a newcomer (see README.md):
#   make demo   generate the fraud-detection project, run its whole lifecycle, then the loop
#   make test   run this repository's test suite, end-to-end tests included
# Both create .venv with the generator installed (uv) first. Only python3 (3.11+), make and git
# are needed; `make bench` also installs wrk (Debian package) for the serving benchmark.
# Maintainers: `make release VERSION=X.Y.Z` and `make dist` (docs/updating.md, "Releasing");
# `make lock` after changing the generated projects' dependencies; `make docs` builds the
# documentation site into build/site (docs/workshop.md, "Projecting the labs").

BOOTSTRAP_PYTHON ?= python3
VENV := .venv
DEMO := build/demo/my-fraud-project

.PHONY: demo test bench lint lock dist release docs clean

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
	$(VENV)/bin/ruff check generator migrations tests benchmarks hatch_build.py docs/site.py
	$(VENV)/bin/ruff format --check generator migrations tests benchmarks hatch_build.py docs/site.py

bench: $(VENV)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(VENV)/bin/python benchmarks/run_all.py

# The generated projects' locks, templates/project/requirements*.lock: every use case has the
# same dependencies (templates/project/pyproject.toml.jinja), so one pair serves them all. A
# project is rendered and its own `make lock` run there (needs the package index); pins already
# in the locks are kept while they fit, `make lock LOCK_OPTIONS=--upgrade` moves them all.
# tests/test_lock.py fails while the locks and the template disagree.
LOCKED := build/lock
lock: $(VENV)/.installed
	rm -rf $(LOCKED)
	$(VENV)/bin/mlops-new fraud-detection $(LOCKED)
	$(MAKE) -C $(LOCKED) lock PYTHON=$(CURDIR)/$(VENV)/bin/python
	cp $(LOCKED)/requirements.lock $(LOCKED)/requirements-image.lock templates/project/

# The sdist and the wheel built from it, as a user's `uv build` makes them. The version and
# the template history inside come from CHANGELOG.md and git (docs/updating.md, "Releasing").
dist: $(VENV)/.installed
	rm -rf dist
	$(VENV)/bin/uv build --out-dir dist

# make release VERSION=0.2.0: date the CHANGELOG's Unreleased notes, commit, tag v0.2.0, build.
release: $(VENV)/.installed
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=X.Y.Z" >&2; exit 2; }
	$(VENV)/bin/python generator/_release.py release $(VERSION)
	$(MAKE) dist

# The documentation site (mkdocs.yml): README.md, docs/ and every use case's story and labs,
# from workshop kits rendered on the way; built with --strict, so a broken link fails it.
# `$(VENV)/bin/python docs/site.py --serve` browses it at http://127.0.0.1:8000.
docs: $(VENV)/.installed
	$(VENV)/bin/python docs/site.py

clean:
	rm -rf build dist .cache
