#!/usr/bin/env bash
# Prometheus and the Prometheus Pushgateway for the metrics tests, as plain processes.
#
#   integration/services/prometheus.sh start   install what is missing, start both, wait until they answer
#   integration/services/prometheus.sh stop    stop both (nothing is kept that a test needs)
#   integration/services/prometheus.sh status  exit 0 when both answer
#
# Installs the Debian packages `prometheus-pushgateway` and `prometheus` when their programs
# are missing, with a policy-rc.d that exits 101 so that apt starts no daemon of its own.
# The pushgateway listens on 127.0.0.1:9091 (metrics in memory); Prometheus on
# 127.0.0.1:9090 scrapes, every second, the pushgateway (job `pushgateway`, honor_labels)
# and every target listed in a JSON file of $SERVICES/prometheus/targets/ (job
# `seatunnel_py`, file service discovery: a test writes a file there to have its job's
# /metrics endpoint scraped, and removes it afterwards). Data and logs live under
# ${SEATUNNEL_PY_SERVICES:-~/.local/share/seatunnel-py/services}/prometheus.
set -euo pipefail

HOST=127.0.0.1
PROM_PORT=${PROMETHEUS_PORT:-9090}
GATEWAY_PORT=${PUSHGATEWAY_PORT:-9091}
HOME_DIR=${SEATUNNEL_PY_SERVICES:-$HOME/.local/share/seatunnel-py/services}/prometheus
TARGETS=$HOME_DIR/targets
CONF=$HOME_DIR/prometheus.yml

log() { echo "prometheus: $*"; }

prometheus_bin() { command -v prometheus || { [ -x /usr/bin/prometheus ] && echo /usr/bin/prometheus; }; }
gateway_bin() { command -v prometheus-pushgateway || { [ -x /usr/bin/prometheus-pushgateway ] && echo /usr/bin/prometheus-pushgateway; }; }

answers() { curl -fsS -m 2 -o /dev/null "http://$HOST:$1/-/ready" 2>/dev/null; }

running_pid() {
  local pidfile=$HOME_DIR/$1.pid pid
  [ -f "$pidfile" ] && pid=$(cat "$pidfile") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install_packages() {
  local missing=()
  prometheus_bin >/dev/null || missing+=(prometheus)
  gateway_bin >/dev/null || missing+=(prometheus-pushgateway)
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  log "installing the Debian packages ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # apt must not start the packages' own daemons (they would hold the ports): a policy-rc.d
  # that exits 101 forbids it; an existing one is put back afterwards
  local policy=/usr/sbin/policy-rc.d saved=""
  if [ -e "$policy" ]; then saved=$(mktemp); cp -p "$policy" "$saved"; fi
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  local status=0
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then apt-get update -qq >/dev/null || status=$?; fi
  if [ $status -eq 0 ]; then
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
  fi
  if [ -n "$saved" ]; then mv "$saved" "$policy"; else rm -f "$policy"; fi
  [ $status -eq 0 ] || { log "installing ${missing[*]} failed"; exit 1; }
}

write_config() {
  mkdir -p "$HOME_DIR/data" "$TARGETS"
  cat >"$CONF" <<YAML
# written by integration/services/prometheus.sh
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 5s
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ["$HOST:$GATEWAY_PORT"]
  - job_name: seatunnel_py
    file_sd_configs:
      - files: ["$TARGETS/*.json"]
        refresh_interval: 1s
YAML
}

start_one() {  # name port command...
  local name=$1 port=$2
  shift 2
  if answers "$port"; then log "$name already running on $HOST:$port"; return 0; fi
  if ! running_pid "$name" >/dev/null; then
    log "starting $name on $HOST:$port (log $HOME_DIR/$name.log)"
    # setsid: the server outlives the shell (and a test) that started it
    setsid "$@" >"$HOME_DIR/$name.log" 2>&1 </dev/null &
    echo $! >"$HOME_DIR/$name.pid"
  fi
}

wait_for() {  # name port
  local name=$1 port=$2
  for _ in $(seq 1 120); do
    if answers "$port"; then log "$name ready on $HOST:$port"; return 0; fi
    running_pid "$name" >/dev/null || { log "$name exited; last lines of $HOME_DIR/$name.log:"; \
                                        tail -n 20 "$HOME_DIR/$name.log" >&2; exit 1; }
    sleep 0.5
  done
  log "$name did not answer within 60 s (see $HOME_DIR/$name.log)"
  exit 1
}

start() {
  install_packages
  write_config
  start_one pushgateway "$GATEWAY_PORT" "$(gateway_bin)" --web.listen-address="$HOST:$GATEWAY_PORT"
  start_one prometheus "$PROM_PORT" "$(prometheus_bin)" --config.file="$CONF" \
    --storage.tsdb.path="$HOME_DIR/data" --storage.tsdb.retention.time=1d \
    --web.listen-address="$HOST:$PROM_PORT"
  wait_for pushgateway "$GATEWAY_PORT"
  wait_for prometheus "$PROM_PORT"
}

stop_one() {
  local name=$1 pid
  if ! pid=$(running_pid "$name"); then log "$name not running"; rm -f "$HOME_DIR/$name.pid"; return 0; fi
  log "stopping $name (pid $pid)"
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$HOME_DIR/$name.pid"; log "$name stopped"; return 0; }
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$HOME_DIR/$name.pid"
}

case "${1:-start}" in
  start) start ;;
  stop) stop_one prometheus; stop_one pushgateway ;;
  status) answers "$GATEWAY_PORT" && answers "$PROM_PORT" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
