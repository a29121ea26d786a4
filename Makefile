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

# The demo: 10 random-label tasks (about a minute on 2 cores) where baseline loses plasticity and ln_wd keeps it,
# then the site from that run and the committed evidence bundles.
DEMO_RUN := --benchmark random-label-mnist --method baseline,ln_wd,reset_full --seeds 2 --preset quick --set bench.num_tasks=10 --jobs 2

demo: $(STAMP)
	$(BIN)/clbench run $(DEMO_RUN) --store $(DEMO_STORE) --no-progress
	$(BIN)/clbench leaderboard show --store $(DEMO_STORE)
	$(BIN)/clbench leaderboard build --store $(DEMO_STORE) $(foreach bundle,$(wildcard docs/evidence/*.json.gz),--from $(bundle)) --out $(DEMO_SITE) > /dev/null
	@echo "open file://$(abspath $(DEMO_SITE))/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --timeout 900

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --timeout 900 -m "not slow and not atari and not browser and not ray"

clean:
	rm -rf $(VENV) results .pytest_cache
