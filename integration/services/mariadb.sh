#!/usr/bin/env bash
# MariaDB for the tests: start|stop, idempotent, on 127.0.0.1:3306.
#
# Installs the Debian `mariadb-server` package if mariadbd is missing, creates a data
# directory of its own under ${SEATUNNEL_PY_SERVICES:-~/.local/share/seatunnel-py/services}/mariadb
# and runs mariadbd as a plain process (no systemd), with local_infile enabled. User
# `seatunnel` (password `seatunnel`, all privileges, XA included) and database `seatunnel`.
# Durability settings are relaxed (no flush at commit): this is a throwaway test server.
set -euo pipefail
cmd=${1:-start}
PORT=3306
HOST=127.0.0.1
base="${SEATUNNEL_PY_SERVICES:-$HOME/.local/share/seatunnel-py/services}/mariadb"
data="$base/data"
sock="$base/mariadb.sock"
pidfile="$base/mariadb.pid"
log="$base/mariadb.log"

install_server() {
  if command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; then return 0; fi
  echo "mariadb: installing the Debian package mariadb-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null
  # the package may have started the system server (where services may start): it would hold the port
  if [ -f /run/mysqld/mysqld.pid ]; then
    kill "$(cat /run/mysqld/mysqld.pid)" 2>/dev/null || true
    sleep 2
  fi
}

answers() {
  mariadb -h "$HOST" -P "$PORT" --protocol=TCP -u seatunnel -pseatunnel --connect-timeout=2 \
    -e 'select 1' seatunnel >/dev/null 2>&1
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start() {
  install_server
  if answers; then echo "mariadb: already running on $HOST:$PORT"; return 0; fi
  mkdir -p "$base"
  local user_opt=()
  if [ "$(id -u)" -eq 0 ]; then user_opt=(--user=root); fi
  if [ ! -d "$data/mysql" ]; then
    echo "mariadb: creating the data directory $data"
    mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$data" \
      --auth-root-authentication-method=socket --skip-test-db >"$base/install.log" 2>&1
  fi
  local server=0
  for i in $(seq 1 90); do
    if mariadb-admin --no-defaults -S "$sock" -u root ping >/dev/null 2>&1; then break; fi
    # (re)launch when no server runs: the first time, or when one died at start-up (a port
    # still held by a killed predecessor, say)
    if ! running && { [ "$server" -eq 0 ] || ! kill -0 "$server" 2>/dev/null; }; then
      [ "$i" -gt 1 ] && echo "mariadb: starting again (see $log)"
      setsid /usr/sbin/mariadbd --no-defaults "${user_opt[@]}" --datadir="$data" --socket="$sock" \
        --pid-file="$pidfile" --port="$PORT" --bind-address="$HOST" --log-error="$log" \
        --local-infile=1 --innodb-flush-log-at-trx-commit=2 --innodb-buffer-pool-size=256M \
        --max-allowed-packet=256M --max-connections=200 --skip-name-resolve \
        </dev/null >/dev/null 2>&1 &
      server=$!
    fi
    sleep 1
  done
  mariadb --no-defaults -S "$sock" -u root <<'EOF'
CREATE DATABASE IF NOT EXISTS seatunnel;
CREATE USER IF NOT EXISTS 'seatunnel'@'%' IDENTIFIED BY 'seatunnel';
CREATE USER IF NOT EXISTS 'seatunnel'@'localhost' IDENTIFIED BY 'seatunnel';
GRANT ALL PRIVILEGES ON *.* TO 'seatunnel'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'seatunnel'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
EOF
  if answers; then echo "mariadb: running on $HOST:$PORT (user/password/database seatunnel)"; return 0; fi
  echo "mariadb: not answering on $HOST:$PORT, see $log" >&2
  return 1
}

stop() {
  if running; then
    local pid
    pid="$(cat "$pidfile")"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    echo "mariadb: stopped"
  else
    echo "mariadb: not running"
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
