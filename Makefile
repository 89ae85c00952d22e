# Pareto for Odoo: common tasks. `make test` is the README's test command; CI (.ci/run)
# runs the same targets in fresh virtualenvs, the addon tier on the built wheel.
PYTHON ?= python3
export PYTHON
# Extra pytest arguments for the engine tier (CI adds a JUnit report).
PYTEST_ARGS ?=

.PHONY: test lint format readme test-engine test-odoo wheel demo install-requirements

## Lint, engine tests (always) and addon tests (when Odoo 19 is importable).
test: lint test-engine test-odoo

## The OCA's checks, ruff and prettier, from .pre-commit-config.yaml (tools from PyPI/npm).
lint:
	$(PYTHON) -m pre_commit run --all-files --show-diff-on-failure

## Apply the fixers: prettier, ruff, whitespace, and the OCA's XML fixes.
format:
	-$(PYTHON) -m pre_commit run --all-files
	-$(PYTHON) -m pre_commit run --hook-stage manual oca-checks-odoo-module-fix --all-files
	$(PYTHON) -m pre_commit run --all-files

## pareto_odoo/README.rst and static/description/index.html from pareto_odoo/readme/.
readme:
	$(PYTHON) -m pre_commit run gen-addon-readme --all-files

## Pure Python, no Odoo needed (pytest-odoo's plugin is left out).
test-engine:
	$(PYTHON) -m pytest -p no:odoo $(PYTEST_ARGS) pareto_odoo/engine tests

## The addon's Odoo tests through pytest-odoo (scripts/test_odoo.sh).
test-odoo:
	bash scripts/test_odoo.sh

## The wheel odoo-addon-pareto_odoo in dist/ (whool, as the OCA builds addons).
wheel:
	$(PYTHON) -m pip wheel --no-deps -w dist ./pareto_odoo

## A fresh database with demo data, served on http://127.0.0.1:8069.
demo:
	bash scripts/demo.sh

install-requirements:
	$(PYTHON) -m pip install -r requirements.txt -r requirements-dev.txt
