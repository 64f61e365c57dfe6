.PHONY: run test lint format

run:  ## start the whole site (simulator, worker, web) with a demo login
	bash scripts/run.sh

test:  ## every test, on SQLite and on PostgreSQL
	bash scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/python manage.py makemigrations --check --dry-run

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .
