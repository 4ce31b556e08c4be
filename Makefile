# Two commands for a fresh machine: `make demo` and `make test`.
# Nothing needs to be installed first but Python 3.11+ and make.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.podium-installed

.PHONY: install demo test

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Podium needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --editable .
	touch $(STAMP)

install: $(STAMP)

# Migrate, load the demo challenges, evaluate the demo submissions with a real
# worker, then serve the site on 127.0.0.1:$(PORT) until Ctrl-C. DEBUG=1 lets
# the site start without a SECRET_KEY; the demo is for one machine only.
demo: $(STAMP)
	DEBUG="$${DEBUG-1}" $(PY) manage.py run_demo --port $(PORT)

# The whole suite. It uses the local PostgreSQL when one accepts connections
# (or DATABASE_URL when set) and SQLite otherwise; tests that need a missing
# service skip with their reason.
test: $(STAMP)
	@database_url="$${DATABASE_URL-$$($(PY) -m tests.services database-url)}"; \
	if [ -n "$$database_url" ]; then echo "Tests run on $$(echo "$$database_url" | sed -E 's#//[^@/]*@#//#; s#\?.*##')"; \
	else echo "Tests run on SQLite (DATABASE_URL is empty, or unset with no PostgreSQL at 127.0.0.1:5432)"; fi; \
	DATABASE_URL="$$database_url" $(PY) -m pytest $(PYTEST_ARGS)
