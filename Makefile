# Two commands a new user needs: `make chat` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat run test lint bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

chat: $(STAMP)
	$(BIN)/python -m bot chat

run: $(STAMP)
	$(BIN)/python -m bot run

lint: $(STAMP)
	$(BIN)/ruff check bot handlers tests bench

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/python ../shared/eval/score.py --cmd "$(BIN)/python -m bot ask --json -"

bench: $(STAMP)
	$(BIN)/python bench/ask.py
	$(BIN)/python bench/status.py
	$(BIN)/python bench/reminders.py
	$(BIN)/python bench/telegram_updates.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
