# The README's two commands: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= $(or $(TMPDIR),/tmp)/annotator-demo

.PHONY: demo test lint lock samples clean

# The exact versions that were tested (.ci/constraints.txt); pyproject keeps loose bounds
# for people who install the package. `make lock` refreshes the file from the newest releases.
PIP_VERSION := 26.3
CONSTRAINTS := .ci/constraints.txt

$(BIN)/annotator: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $@

# The whole workflow, offline, on a copy of the bundled i2v samples with recorded captions
# and verdicts (verify flags the samples whose prompt does not match the clip), through the
# review UI, then what export would say now and the commands that come next.
demo: $(BIN)/annotator
	rm -rf "$(DEMO_DIR)"
	cp -r samples/i2v "$(DEMO_DIR)"
	$(BIN)/annotator init "$(DEMO_DIR)" --mode i2v --trigger s86b5p
	$(BIN)/annotator caption "$(DEMO_DIR)" --provider replay
	$(BIN)/annotator mine "$(DEMO_DIR)" --apply
	$(BIN)/annotator verify "$(DEMO_DIR)" --provider replay
	@if [ -t 0 ] && [ -t 1 ]; then $(BIN)/annotator review "$(DEMO_DIR)"; else \
		$(BIN)/annotator prompts "$(DEMO_DIR)"; \
		echo "No terminal here, so the review UI was not opened: $(BIN)/annotator review '$(DEMO_DIR)'"; fi
	@# "not ready" until samples are accepted: the demo goes on, the check says why.
	@$(BIN)/annotator check "$(DEMO_DIR)" --no-scan || true
	@echo
	@echo "Next: accept the samples you want (in review: a), then"
	@echo "  $(BIN)/annotator export '$(DEMO_DIR)'          # the dataset zip, finetune.json"
	@echo "  $(BIN)/annotator upload '$(DEMO_DIR)'          # needs DASHSCOPE_API_KEY"
	@echo "  $(BIN)/annotator finetune '$(DEMO_DIR)' --wait # a paid training run, hours"

test: $(BIN)/annotator
	$(BIN)/python -m pytest -q

lint: $(BIN)/annotator
	$(BIN)/ruff check annotator tests bench samples
	$(BIN)/ruff format --check annotator tests bench samples
	$(BIN)/mypy
	$(BIN)/lint-imports

lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet pip==$(PIP_VERSION)
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable > $(CONSTRAINTS)
	rm -rf .lock-venv

samples: $(BIN)/annotator
	$(BIN)/python samples/make_samples.py

clean:
	rm -rf $(VENV) .pytest_cache
