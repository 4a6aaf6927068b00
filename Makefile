PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz lint format bench migrate worker beat serve clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## set up the embedded demo (SQLite, eager Celery) and serve on :8000
	$(BIN)/sunshine demo

PYTEST_ARGS ?= -n 2 --dist loadfile

test: $(STAMP)  ## run the whole test suite (PostgreSQL/Redis parts when their URLs are set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

FUZZ_EXAMPLES ?= 40

fuzz: $(STAMP)  ## schemathesis as every role, a longer pass (FUZZ_EXAMPLES cases per route and role)
	SUNSHINE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/api/test_schemathesis.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check services matching jobs benchmarks
	$(BIN)/mypy services matching jobs benchmarks
	$(BIN)/python -m infra.lint_scope
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format services matching jobs benchmarks tests

PARTS ?= matching,import,reports

bench: $(STAMP)  ## benchmarks beside their baselines; PARTS=api drives the service under load
	SUNSHINE_BENCH_POSTGRES_URL=$${SUNSHINE_BENCH_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/sunshine bench --parts $(PARTS)

migrate: $(STAMP)
	$(BIN)/sunshine migrate

worker: $(STAMP)  ## needs SUNSHINE_REDIS_URL
	$(BIN)/sunshine worker --beat

serve: $(STAMP)
	$(BIN)/sunshine serve

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
