# Two commands on a fresh machine:  make run   (start with demo data)   and   make test   (whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install system-deps bench clean

$(STAMP): requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/lock.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/fangpin migrate --noinput -v0
	$(BIN)/fangpin demo_setup
	@echo "防贫监测帮扶系统已启动：http://127.0.0.1:8000 （Ctrl+C 停止）"
	@# The background-job worker (screening) runs beside the web server and stops with it.
	$(BIN)/fangpin db_worker --no-startup-delay & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/fangpin runserver 127.0.0.1:8000

system-deps:
	bash scripts/system-deps.sh

test: install system-deps
	bash scripts/test.sh

bench: install
	$(BIN)/python benchmarks/import_members.py
	$(BIN)/python benchmarks/engine_seed001.py
	$(BIN)/python benchmarks/rules_vs_openfisca.py
	$(BIN)/python benchmarks/screening.py

clean:
	rm -rf $(VENV) var test-artifacts
