#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the test suite and prints `export TEST_POSTGRES_URL=...`.
# Installs Debian's postgresql package when no server binaries are present (needs root + apt).
#   eval "$(scripts/postgres.sh start)"   ...   scripts/postgres.sh stop
set -euo pipefail

PGPORT="${PGPORT:-55432}"
PGDATA_DIR="${PGDATA_DIR:-/tmp/messiah-pg-$PGPORT}"

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z "$dir" && -x "$(command -v pg_ctl || true)" ]]; then dir=$(dirname "$(command -v pg_ctl)"); fi
  echo "$dir"
}

as_owner() {
  if [[ "$(id -u)" == "0" ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin
  bin=$(find_bin)
  if [[ -z "$bin" ]]; then
    echo "installing postgresql from Debian's packages..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  if [[ "$(id -u)" == "0" ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home /var/lib/postgresql --shell /bin/bash postgres >&2
  fi
  if [[ -f "$PGDATA_DIR/postmaster.pid" ]]; then
    as_owner "$bin/pg_ctl" -D "$PGDATA_DIR" -m fast stop >&2 || true
  fi
  rm -rf "$PGDATA_DIR"
  mkdir -p "$PGDATA_DIR"
  [[ "$(id -u)" == "0" ]] && chown postgres "$PGDATA_DIR"
  as_owner "$bin/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_owner "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -o \
    "-p $PGPORT -k $PGDATA_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2
  echo "export TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PGPORT/postgres"
}

stop() {
  local bin
  bin=$(find_bin)
  if [[ -n "$bin" && -f "$PGDATA_DIR/postmaster.pid" ]]; then
    as_owner "$bin/pg_ctl" -D "$PGDATA_DIR" -m fast stop >&2 || true
  fi
  rm -rf "$PGDATA_DIR"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
