#!/usr/bin/env bash
# PostgreSQL for the tests: start|stop, idempotent, on 127.0.0.1:5432.
#
# Installs the Debian `postgresql` package if no server binaries are found, creates a
# cluster of its own under ${SEATUNNEL_PY_SERVICES:-~/.local/share/seatunnel-py/services}/postgres
# (superuser `seatunnel`, password `seatunnel`, database `seatunnel`, password auth on
# TCP so bad credentials are refused, max_prepared_transactions for the exactly-once
# JDBC sink) and runs it as a plain process (no systemd). PostgreSQL refuses to run as
# root, so under root the cluster belongs to the `postgres` system user, and the parent
# directories of the data directory get the search (x) bit for it.
# Durability settings are relaxed (fsync off): this is a throwaway test server.
set -euo pipefail
cmd=${1:-start}
PORT=5432
HOST=127.0.0.1
base="${SEATUNNEL_PY_SERVICES:-$HOME/.local/share/seatunnel-py/services}/postgres"
data="$base/data"
sock="$base/run"
log="$base/postgres.log"

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then echo "$d"; return 0; fi
  done
  return 1
}

install_server() {
  if find_bindir >/dev/null; then return 0; fi
  echo "postgres: installing the Debian package postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
  # the package may have started its own cluster (where services may start): it would hold the port
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | awk '$4 == "online" {print $1, $2}' | while read -r ver name; do
      pg_ctlcluster "$ver" "$name" stop || true
    done
  fi
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

answers() {
  PGPASSWORD=seatunnel PGCONNECT_TIMEOUT=2 psql -h "$HOST" -p "$PORT" -U seatunnel -d seatunnel \
    -Atqc 'select 1' >/dev/null 2>&1
}

init_cluster() {
  mkdir -p "$base" "$sock"
  if [ "$(id -u)" -eq 0 ]; then
    # let the postgres user reach its directories (search bit only, no listing)
    local p="$base"
    while [ "$p" != "/" ]; do chmod o+x "$p"; p="$(dirname "$p")"; done
    chown postgres:postgres "$base" "$sock"
  fi
  if [ -f "$data/PG_VERSION" ]; then return 0; fi
  echo "postgres: creating the cluster in $data"
  local pwfile
  pwfile="$(mktemp)"
  echo seatunnel >"$pwfile"
  chmod 644 "$pwfile"
  as_owner "$bindir/initdb" -D "$data" -U seatunnel --pwfile="$pwfile" -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >"$base/initdb.log" 2>&1
  rm -f "$pwfile"
  cat >>"$data/postgresql.conf" <<EOF
# seatunnel-py test server
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = '$sock'
max_connections = 200
max_prepared_transactions = 64
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
max_wal_size = 4GB
EOF
}

start() {
  install_server
  bindir="$(find_bindir)"
  if answers; then echo "postgres: already running on $HOST:$PORT"; return 0; fi
  init_cluster
  if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
  fi
  as_owner psql -h "$sock" -p "$PORT" -U seatunnel -d postgres -Atqc \
    "select 1 from pg_database where datname = 'seatunnel'" | grep -q 1 \
    || as_owner psql -h "$sock" -p "$PORT" -U seatunnel -d postgres -qc 'create database seatunnel'
  for _ in $(seq 1 60); do
    if answers; then echo "postgres: running on $HOST:$PORT (user/password/database seatunnel)"; return 0; fi
    sleep 1
  done
  echo "postgres: not answering on $HOST:$PORT, see $log" >&2
  return 1
}

stop() {
  local bindir
  bindir="$(find_bindir)" || { echo "postgres: not installed"; return 0; }
  if [ -f "$data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null && echo "postgres: stopped"
  else
    echo "postgres: not running"
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
