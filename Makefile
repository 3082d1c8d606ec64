# The two commands of the README: `make demo` and `make test`.
# Both set everything up on a fresh Debian 12 / Raspberry Pi OS machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export PYGAME_HIDE_SUPPORT_PROMPT := 1

.PHONY: all demo test lint typecheck pytest bench soak system-packages venv clean format

all: test

system-packages:
	@bash scripts/bootstrap.sh shellcheck

$(STAMP): pyproject.toml | system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

venv: system-packages $(STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

pytest: venv
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(BIN)/pytest

test: lint typecheck pytest

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: venv
	bash scripts/demo.sh

bench: venv
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(BIN)/python -m benchmarks

soak: venv
	rm -rf out/soak
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy KIOSK_SOAK=full KIOSK_SOAK_FIGURES=$(CURDIR)/out/soak \
	  $(BIN)/pytest -m slow -s
	$(BIN)/python -m benchmarks --from-soak $(CURDIR)/out/soak

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out var
