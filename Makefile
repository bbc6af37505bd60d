# tuneforge: `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# What the service runs (requirements.lock: pyproject's dependencies), which is all `make
# run` installs; and on top of it the tools that test it (requirements-dev.lock: the dev
# extra too, the same versions of the rest), for every other target.
RUNTIME := $(VENV)/.runtime-installed
STAMP  := $(VENV)/.installed

.PHONY: run test image-test chromium unit integration lint format openapi sdk lock bench clean

# The project runs from this folder, not pip-installed, as in the Dockerfile: building it
# would need its build backend (setuptools), which the runtime lock leaves out. A .pth
# file puts the folder and the SDK (sdk/python) on the environment's path, and
# `tuneforge` is the console script pip would have written.
$(RUNTIME): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	printf '%s\n' "$(CURDIR)" "$(CURDIR)/sdk/python" \
		> "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/tuneforge.pth"
	printf '#!$(CURDIR)/$(BIN)/python\nimport sys\nfrom api.launcher import main\nsys.exit(main())\n' \
		> $(BIN)/tuneforge
	chmod 755 $(BIN)/tuneforge
	touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

# `serve` migrates the database before it starts anything.
run: $(RUNTIME)
	$(BIN)/tuneforge serve

# The dashboard's browser tests drive Debian's chromium (they fail without it).
chromium:
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

# The Docker image built and run against this machine's PostgreSQL, Redis and a moto S3
# server (tests/image/run.py; root, Debian's docker.io). A few minutes once its base is made.
image-test: $(STAMP)
	$(BIN)/python tests/image/run.py

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest -q tests/integration

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: $(STAMP)
	$(BIN)/python -c 'from api.openapi import write; write("openapi.yaml")'

# The Python client in sdk/python, generated from openapi.yaml (a test fails when it is stale).
sdk: $(STAMP)
	$(BIN)/python sdk/generate.py

lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev -c requirements.lock --python-version 3.11 --generate-hashes -q -o requirements-dev.lock

# About two hours on 2 cores (95 minutes of it search_quality.py at equal wall time: 5
# tables x 3 seeds x 6 searches x 60 s); each script appends its figures to bench/RESULTS.md.
# small_jobs.py's PostgreSQL + Redis round needs both on 127.0.0.1 (it uses Redis db 11).
bench: $(STAMP)
	$(BIN)/python bench/search_overhead.py
	$(BIN)/python bench/search_quality.py --by-trials
	$(BIN)/python bench/search_quality.py
	$(BIN)/python bench/end_to_end.py
	$(BIN)/python bench/api_latency.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/growth.py
	$(BIN)/python bench/sweeps.py
	$(BIN)/python bench/small_jobs.py
	$(BIN)/python bench/estimates.py
	$(BIN)/python bench/predictions.py
	$(BIN)/python bench/studies.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
