#!/usr/bin/env bash
# Installs and starts, idempotently, every service the tests need, on 127.0.0.1.
#
# Each service has its own script in integration/services/<name>.sh taking
# `start` or `stop` (start installs what is missing, then starts the service if it is
# not running, then waits until it answers). This script runs them all, in name order.
# Downloads are cached under ${SEATUNNEL_PY_CACHE:-~/.cache/seatunnel-py}; data and
# logs live under ${SEATUNNEL_PY_SERVICES:-~/.local/share/seatunnel-py/services}.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd=${1:-start}
case "$cmd" in
  start|stop) ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
shopt -s nullglob
scripts=("$here"/services/*.sh)
if [ ${#scripts[@]} -eq 0 ]; then
  echo "services: none needed by the current suite"
  exit 0
fi
for script in "${scripts[@]}"; do
  echo "services: $(basename "$script" .sh) $cmd"
  bash "$script" "$cmd"
done
