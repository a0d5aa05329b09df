# GiamSat: `make run` starts the product, `make test` runs the whole suite.
# Both set everything up first and skip what is already up to date.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
VENDOR_STAMP := giamsat/static/vendor/.stamp
MAPS := giamsat/maps/generated/vietnam.json
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test fuzz lint format messages fonts clean help

help:
	@echo "make run   - set up, load reference and demo data, start web server and worker"
	@echo "make test  - set up and run lint, unit, integration and browser tests"
	@echo "make fuzz  - run schemathesis and the property tests on fresh random cases (FUZZ_MINUTES=10)"

$(PY_STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

$(VENDOR_STAMP): $(NODE_STAMP) scripts/vendor_assets.py
	$(BIN)/python scripts/vendor_assets.py
	@touch $@

# The offline maps: the 63 former provinces dissolved into the 34 (giamsat/maps/build.py).
$(MAPS): $(PY_STAMP) $(NODE_STAMP) scripts/build_maps.py giamsat/maps/build.py giamsat/maps/engine/shapes.py
	$(BIN)/python scripts/build_maps.py

messages: $(PY_STAMP)
	@$(BIN)/python scripts/compile_messages.py

# The official documents' font (Liberation Serif, Debian's fonts-liberation2): installed when
# missing, or a clear error (scripts/ensure_fonts.sh).
fonts:
	@bash scripts/ensure_fonts.sh

setup: $(PY_STAMP) $(VENDOR_STAMP) $(MAPS) messages fonts

# `make run` is the local development and demo server (runserver), not a deployment: it runs with
# DEBUG on, which gives it a development SECRET_KEY and lets WhiteNoise find static files without
# collectstatic, so it works on a fresh machine. DEBUG=false make run is honoured (then set
# SECRET_KEY and run collectstatic). Production settings: README.md, "Configuration".
run: export DEBUG ?= true
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_catalog
	$(BIN)/python manage.py load_alert_rules
	$(BIN)/python manage.py load_demo_history
	$(BIN)/python manage.py recompute --if-empty
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_demo_plans
	$(BIN)/python manage.py load_demo_projects
	$(BIN)/python manage.py alerts_scan
	$(BIN)/python manage.py load_demo_alerts
	@echo "Starting the background worker (Huey) and the web server on http://$(HOST):$(PORT)/"
	@$(BIN)/python manage.py run_huey --workers 1 & HUEY_PID=$$!; \
	  trap 'kill $$HUEY_PID 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(PY_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || (echo "Missing migrations: run manage.py makemigrations" && exit 1)
	DB_CONN_MAX_AGE=0 $(BIN)/python -m pytest $(PYTEST_ARGS)

FUZZ_MINUTES ?= 10
fuzz: setup
	$(BIN)/python scripts/fuzz.py --minutes $(FUZZ_MINUTES)

clean:
	rm -rf $(VENV) node_modules giamsat/static/vendor giamsat/maps/generated staticfiles var
