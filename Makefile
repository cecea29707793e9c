# Two commands on a fresh machine:  make run   (start with demo data)   and   make test   (whole suite).
# make run installs the runtime lock only (requirements/lock.txt); make test and make bench add the development
# lock (requirements/dev-lock.txt: tests, browser, Spark, benchmarks). make dev: runserver with DEBUG for developers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run dev test install install-dev system-deps bench clean

$(STAMP): requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/lock.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements/dev-lock.txt
	$(BIN)/pip install -q -r requirements/dev-lock.txt
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# The database and the demo data, then the web server (gunicorn, settings in src/fangpin/gunicorn_conf.py:
# FANGPIN_BIND, FANGPIN_WORKERS) with the background-job worker (screening) beside it; both stop together.
run: install
	$(BIN)/fangpin migrate --noinput -v0
	$(BIN)/fangpin demo_setup
	@echo "防贫监测帮扶系统已启动：http://$${FANGPIN_BIND:-127.0.0.1:8000} （Ctrl+C 停止）"
	$(BIN)/fangpin db_worker --no-startup-delay & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config python:fangpin.gunicorn_conf fangpin.wsgi

# For developers: Django's runserver, reloading on every change, with DEBUG on.
dev: export FANGPIN_DEBUG := 1
dev: install
	$(BIN)/fangpin migrate --noinput -v0
	$(BIN)/fangpin demo_setup
	@echo "开发模式（DEBUG 已打开）：http://127.0.0.1:8000 （Ctrl+C 停止）"
	$(BIN)/fangpin db_worker --no-startup-delay & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/fangpin runserver 127.0.0.1:8000

system-deps:
	bash scripts/system-deps.sh

test: install-dev system-deps
	bash scripts/test.sh

bench: install-dev
	$(BIN)/python benchmarks/import_members.py
	$(BIN)/python benchmarks/engine_seed001.py
	$(BIN)/python benchmarks/rules_vs_openfisca.py
	$(BIN)/python benchmarks/screening.py

clean:
	rm -rf $(VENV) var test-artifacts
