# The README's two commands: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= $(or $(TMPDIR),/tmp)/annotator-demo

.PHONY: demo test lint samples clean

$(BIN)/annotator: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The whole workflow, offline, on a copy of the bundled i2v samples with recorded captions,
# ending in the review UI (then: annotator export $(DEMO_DIR)).
demo: $(BIN)/annotator
	rm -rf $(DEMO_DIR)
	cp -r samples/i2v $(DEMO_DIR)
	$(BIN)/annotator init $(DEMO_DIR) --mode i2v --trigger s86b5p
	$(BIN)/annotator caption $(DEMO_DIR) --provider replay
	$(BIN)/annotator mine $(DEMO_DIR) --apply
	$(BIN)/annotator check $(DEMO_DIR)
	@if [ -t 0 ] && [ -t 1 ]; then $(BIN)/annotator review $(DEMO_DIR); else \
		$(BIN)/annotator prompts $(DEMO_DIR); \
		echo "No terminal here, so the review UI was not opened: $(BIN)/annotator review $(DEMO_DIR)"; fi

test: $(BIN)/annotator
	$(BIN)/python -m pytest -q

lint: $(BIN)/annotator
	$(BIN)/ruff check annotator tests bench samples
	$(BIN)/ruff format --check annotator tests bench samples
	$(BIN)/lint-imports

samples: $(BIN)/annotator
	$(BIN)/python samples/make_samples.py

clean:
	rm -rf $(VENV) .pytest_cache
