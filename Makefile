# The two commands of the README. Both set up .venv first (idempotent).
.PHONY: run test setup

run:
	./scripts/setup.sh
	.venv/bin/rag ingest corpus
	.venv/bin/rag ui

test:
	./scripts/setup.sh test
	HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q
