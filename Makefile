# The two commands: `make run` serves the API on SQLite, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
MUTATION_STAMP := $(VENV)/.installed-mutation

.PHONY: run test coverage install bench mutation clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/taskhex serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n auto --dist loadfile

# Not part of `make test`: the same suite with branch coverage (at least 90%). Tracing
# every line doubles the suite's CPU (about 8 min instead of 5 on two cores).
coverage: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile --cov --cov-report=term

# Not part of `make test`: about 8 minutes of load on PostgreSQL at 127.0.0.1:5432
# (BENCH_DATABASE_URL), with wrk (installed from Debian when missing). See bench/RESULTS.md.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Not part of `make test`: mutmut over domain/ and application/ against tests/unit
# (a few minutes on two cores); fails below a score of 90%. Survivors: `mutmut show NAME`.
$(MUTATION_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,mutation]'
	touch $@

mutation: $(MUTATION_STAMP)
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/python tests/support/mutation_score.py

clean:
	rm -rf $(VENV) .coverage .mypy_cache .ruff_cache .pytest_cache mutants
