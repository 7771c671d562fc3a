# Two commands: `make run` (set up and start the demo) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?= -n 2

.PHONY: run test install chromium lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py setup_schedules
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile.dev start

# Debian's chromium drives the browser tests; Playwright never downloads one.
chromium:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

test: $(STAMP) chromium
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

# Every benchmark in turn on PostgreSQL (tens of minutes); figures in var/bench-*.log,
# recorded in docs/benchmarks.md.
bench: $(STAMP)
	mkdir -p var
	$(BIN)/python bench/simulator.py 2>&1 | tee var/bench-simulator.log
	$(BIN)/python bench/sync_initial.py --size large 2>&1 | tee var/bench-initial-large.log
	$(BIN)/python bench/sync_memory.py 2>&1 | tee var/bench-memory.log
	$(BIN)/python bench/sync_incremental.py 2>&1 | tee var/bench-incremental.log
	$(BIN)/python bench/sync_budget.py 2>&1 | tee var/bench-budget.log
	$(BIN)/python bench/sync_fastlag.py 2>&1 | tee var/bench-fastlag.log
	$(BIN)/python bench/writeback.py 2>&1 | tee var/bench-writeback.log
	$(BIN)/python bench/admin_lists.py 2>&1 | tee var/bench-admin-lists.log

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache
