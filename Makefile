# Oppvekst. `make run` serves the demo; `make test` runs the whole suite. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
export OPPVEKST_VAR_DIR ?= $(CURDIR)/var

.PHONY: install run test lint typecheck test-sqlite test-postgres worker clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

run: install
	@mkdir -p "$(OPPVEKST_VAR_DIR)/static"
	OPPVEKST_DEMO=1 $(BIN)/oppvekst migrate --no-input -v 0
	OPPVEKST_DEMO=1 $(BIN)/oppvekst demo --if-empty
	@echo "Serving the demo municipality on http://127.0.0.1:$(PORT)/ (a supervised worker runs beside it)"
	@OPPVEKST_DEMO=1 $(BIN)/oppvekst worker-supervised --no-startup-delay > "$(OPPVEKST_VAR_DIR)/worker.log" 2>&1 & \
	  WORKER=$$!; trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	  OPPVEKST_DEMO=1 $(BIN)/oppvekst serve --bind 127.0.0.1:$(PORT)

worker: install
	$(BIN)/oppvekst worker-supervised

lint: install
	@mkdir -p "$(OPPVEKST_VAR_DIR)"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	OPPVEKST_DEMO=1 $(BIN)/oppvekst makemigrations --check --dry-run -v 0

typecheck: install
	$(BIN)/mypy

test-sqlite: install
	$(BIN)/pytest -q

test-postgres: install
	$(BIN)/python -m oppvekst.devtools.pgtest -- $(BIN)/pytest -q

test: lint typecheck test-sqlite test-postgres

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
