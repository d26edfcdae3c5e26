#!/usr/bin/env bash
# Set up and run the whole test suite: ruff, mypy, pytest on SQLite, and the catalogue/API tests
# again on a throw-away PostgreSQL 15 server started here on a free loopback port.
# Browser tests use Debian's Chromium, installed here when missing (root only).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev

# Debian packages the tests drive: Chromium (browser test) and LibreOffice (PDF layouts of the
# metamorphic ingest tests, made as a board's "save as PDF" would make them).
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-writer-nogui"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ]; then
  echo "installing Debian packages for the tests:$missing"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
    || echo "warning: could not install$missing; the tests that need them will report it"
fi

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
PG_DIR=""
cleanup() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
trap cleanup EXIT
if [ -n "$PG_BIN" ] && [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
  PG_DIR=$(mktemp -d /tmp/gwersi-pg.XXXXXX)
  chown postgres "$PG_DIR"
  PG_PORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
  export GWERSI_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL test server on 127.0.0.1:$PG_PORT"
else
  echo "warning: PostgreSQL server binaries or root not available; postgres tests will be skipped"
fi

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 "$@"
