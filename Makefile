# Two commands set everything up: `make demo` and `make test` (`make test-fast` skips the slow tests). All create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STORE ?= results/demo.db
DEMO_SITE ?= results/site

.PHONY: demo test test-fast install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,ray,optimizers]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/clbench run --benchmark permuted-mnist --method baseline,reset_full --seeds 2 --preset smoke --store $(DEMO_STORE)
	$(BIN)/clbench leaderboard show --store $(DEMO_STORE)
	$(BIN)/clbench leaderboard build --store $(DEMO_STORE) --out $(DEMO_SITE)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --timeout 900

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --timeout 900 -m "not slow and not atari and not browser and not ray"

clean:
	rm -rf $(VENV) results .pytest_cache
