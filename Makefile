# make run: set up the environment (once) and train the single-neuron model.
# make test: set up the environment (once) and run the test suite, one pytest worker per core
#   (pytest-xdist; a module's tests stay on one worker, so its fixtures are built once).
# make paper: the paper's experiments over seeds (superspike reproduce) at SCALE (default quick,
#   25 min on 2 quiet cores, measured; full: the paper's seeds); SSBM=DIR (the folder holding
#   SSBM's poisson/ and oxford/) adds Figs 2 and 4 on the authors' data and Figs 6-8 on Oxford,
#   each claim beside the reference implementation's numbers. The report goes to
#   docs/reproduction/SCALE.
# make docs: the documentation site (Sphinx) in docs/_build/html, warnings as errors.
# make mutate: the mutation check (tests/mutations.py): does each fault of the rule fail a fast test?
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo /root/.pyenv/versions/3.12.1/bin/python3.12)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: venv run test lint paper mutate docs
SCALE ?= quick

$(BIN)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/.installed

run: venv
	$(BIN)/python models/single_neuron.py

test: venv
	$(BIN)/python -m pytest -q -n auto --dist loadscope --durations=15

docs: venv
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html
	@echo "open docs/_build/html/index.html"

mutate: venv
	$(BIN)/python tests/mutations.py

lint: venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

paper: venv
	$(BIN)/superspike reproduce --scale $(SCALE) --out runs/paper-$(SCALE) $(if $(SSBM),--data-dir $(SSBM))
	mkdir -p docs/reproduction/$(SCALE)
	cp runs/paper-$(SCALE)/report.md runs/paper-$(SCALE)/*.png docs/reproduction/$(SCALE)/
