#!/usr/bin/env bash
# Installs and starts, idempotently, every service the tests need, on 127.0.0.1.
# Services are added here by the issues that need them (PostgreSQL, MariaDB, Kafka);
# the core suite needs none.
set -euo pipefail
cmd=${1:-start}
case "$cmd" in
  start) echo "services: none needed by the current suite" ;;
  stop) ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
