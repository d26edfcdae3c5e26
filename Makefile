# Gwersi: the two commands a newcomer needs are `make run` and `make test` (see README).
.PHONY: run test setup lint bench eval samples

run:            ## set up .venv, ingest the samples, build the index, start API + UI on 127.0.0.1
	scripts/setup.sh
	.venv/bin/gwersi up data/samples

test:           ## set up .venv with dev tools, start a throw-away PostgreSQL, run ruff, mypy, pytest
	scripts/test.sh

setup:
	scripts/setup.sh dev

lint:
	.venv/bin/ruff check . && .venv/bin/mypy

eval:           ## ingest, tagging and search quality, in-distribution and on the held-out corpus
	.venv/bin/gwersi eval ingest
	.venv/bin/gwersi eval tagging
	.venv/bin/gwersi eval search

bench:          ## ingest, tagging and search benchmarks (prints figures)
	.venv/bin/gwersi bench ingest
	.venv/bin/gwersi bench tagging
	.venv/bin/gwersi bench search --sizes 10000 100000

samples:        ## rebuild data/samples from data/sample-sources
	.venv/bin/python tools/build_samples.py --check
	.venv/bin/python tools/build_samples.py
