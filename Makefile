# ML Cost Planner — the two set-up commands are `make app` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: app test lint typecheck bench snapshot clean help

help:
	@echo "make app        start the browser app on the embedded price snapshot"
	@echo "make test       run the whole test suite"
	@echo "make lint       ruff + mypy"
	@echo "make bench      print the speed figures"
	@echo "make snapshot   rebuild pricing_data/ from ../shared/pricing_reference"

$(STAMP): requirements.lock pyproject.toml scripts/bootstrap.sh
	PYTHON=$(PYTHON) bash scripts/bootstrap.sh

app: $(STAMP)
	$(PY) -m streamlit run streamlit_app.py --server.port $(PORT)

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

bench: $(STAMP)
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

snapshot: $(STAMP)
	$(PY) scripts/build_snapshot.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache artifacts
