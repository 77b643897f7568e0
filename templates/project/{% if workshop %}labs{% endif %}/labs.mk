# The workshop kit's targets, included by the project's Makefile (labs/README.md).

LAB ?=

.PHONY: check progress doctor proposal class-server wheelhouse setup-offline

check:  ## Is lab LAB done? (make check LAB=2)
	@test -n "$(LAB)" || { echo "usage: make check LAB=<number>, for example make check LAB=1" >&2; exit 2; }
	@$(PYTHON) -m labs.checks $(LAB)

progress:  ## Every lab, done or not, in one table
	@$(PYTHON) -m labs.checks --all

doctor:  ## Check this machine for the workshop: Python, packages, ports, disk, a tiny run
	@python3 labs/doctor.py --python $(PYTHON)

proposal:  ## Lab 10: write proposal/ (your proposal, the report, the model card) for review
	@$(PYTHON) -m labs.propose

CLASS_DIR ?= ../class-server

class-server:  ## Teacher: the class's git remote and MLflow server for lab 10 (CLASS_DIR=...)
	$(PYTHON) labs/class_server.py --dir $(CLASS_DIR) --python $(PYTHON) \
		--mlflow-version $(MLFLOW_VERSION) --mlflow-port $(MLFLOW_PORT)

WHEELHOUSE ?= ../wheelhouse

wheelhouse:  ## Teacher: every locked package for this machine into WHEELHOUSE/, for offline classes
	python3 labs/wheelhouse.py build --dest $(WHEELHOUSE)

setup-offline:  ## make setup without the internet, from the teacher's wheelhouse (WHEELHOUSE=...)
	python3 labs/wheelhouse.py install --from $(WHEELHOUSE)
