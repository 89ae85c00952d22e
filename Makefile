# Pareto for Odoo: common tasks. `make test` is what CI runs.
PYTHON ?= python3
export PYTHON

.PHONY: test lint test-engine test-odoo demo install-requirements

## Lint, engine tests (always) and addon tests (when Odoo 19 is importable).
test: lint test-engine test-odoo

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m pylint --rcfile=.pylintrc pareto_odoo

test-engine:
	$(PYTHON) -m pytest pareto_odoo/engine

test-odoo:
	bash scripts/test_odoo.sh

## A fresh database with demo data, served on http://127.0.0.1:8069.
demo:
	bash scripts/demo.sh

install-requirements:
	$(PYTHON) -m pip install -r requirements.txt -r requirements-dev.txt
