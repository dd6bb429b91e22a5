# Gongzhi: `make demo` runs the Liangzhu demo on http://127.0.0.1:8000, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := assets/vendor

.PHONY: demo test lint typecheck test-sqlite test-postgres assets messages bench clean

# Python may keep compiled modules (and pytest its rewritten test modules) in __pycache__/: with
# PYTHONDONTWRITEBYTECODE set, as on the CI machine, each of the six pytest processes of `make test`
# compiled everything again (13 s each instead of 5).
unexport PYTHONDONTWRITEBYTECODE

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

$(VENDOR)/.built: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico.min.css
	touch $(VENDOR)/.built

assets: $(VENDOR)/.built

demo: $(STAMP) assets
	GONGZHI_DEMO=1 $(BIN)/gongzhi demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --config .importlinter

typecheck: $(STAMP)
	$(BIN)/mypy src

# Both passes run on two pytest-xdist workers, whole files each (module-wide fixtures are built
# once); the controller migrates the test database once and each worker copies it (an SQLite file
# read into memory, a PostgreSQL template database: tests/database_support.py). The SQLite pass
# runs every test; the PostgreSQL pass runs every test that touches the database, except the
# browser tests and the sample data's own tests (marked browser by tests/conftest.py, demo_data in tests/test_demo*.py),
# which are about the page in Chromium and the demo's SQLite file.
test-sqlite: $(STAMP) assets
	env -u DATABASE_URL $(BIN)/pytest -q -n 2 --dist loadfile

# Runs only when DATABASE_URL names a PostgreSQL server (CI sets it).
test-postgres: $(STAMP) assets
	@case "$$DATABASE_URL" in \
	  postgres*) $(BIN)/pytest -q -n 2 --dist loadfile -m "not browser and not nodb and not demo_data" ;; \
	  *) echo "DATABASE_URL does not name PostgreSQL: the PostgreSQL run is skipped." ;; \
	esac

# makemigrations --check compares the models with the migration files; it is given an in-memory
# database because a clean clone has no var/ for the default SQLite file (it warned "unable to open").
test: $(STAMP) assets lint typecheck
	DATABASE_URL=sqlite://:memory: $(BIN)/gongzhi makemigrations --check --dry-run
	env -u DATABASE_URL GONGZHI_SECRET_KEY=check-deploy-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n') \
	  GONGZHI_OWNER_ID_PEPPER=check GONGZHI_ALLOWED_HOSTS=gongzhi.example \
	  DJANGO_SETTINGS_MODULE=gongzhi.config.production $(BIN)/gongzhi check --deploy --fail-level WARNING
	$(MAKE) -j2 --output-sync=target test-sqlite test-postgres

messages: $(STAMP)
	cd src/gongzhi && ../../$(BIN)/gongzhi makemessages -l en --no-obsolete --ignore 'migrations/*'
	cd src/gongzhi && ../../$(BIN)/gongzhi compilemessages -l en

bench: $(STAMP)
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_talent_import.py
	$(BIN)/python bench/bench_masking.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/static
