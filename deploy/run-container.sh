#!/usr/bin/env bash
# Run one seatunnel-py job in a container, to its end: what cron, a systemd timer and other
# schedulers call. Exit code: the job's own (0 done, 1 failed, 2 bad job file, 3 done with rejected
# rows, 75 retryable: e.g. the previous run still holds the job's lock), or docker's (125-127).
#
#   run-container.sh JOB_FILE [seatunnel-py run options...]
#   run-container.sh orders.conf -i day=2026-12-05
#
# JOB_FILE is a file name inside $SEATUNNEL_PY_JOBS. Settings come from the environment or from
# the file $SEATUNNEL_PY_CONFIG (default /etc/seatunnel-py/run.env; KEY=VALUE lines, read by sh):
#   SEATUNNEL_PY_IMAGE     image                                              (seatunnel-py:latest)
#   SEATUNNEL_PY_JOBS      host folder of job files, mounted read-only at /jobs (/etc/seatunnel-py/jobs)
#   SEATUNNEL_PY_STATE     host folder of checkpoints and run locks, at /state  (/var/lib/seatunnel-py/state);
#                          writable for uid 10001; unused when the job keeps its state in a database or S3
#   SEATUNNEL_PY_DATA      host folder mounted at /data for the job's input and output files (none)
#   SEATUNNEL_PY_ENV_FILE  a `docker --env-file` (mode 0600) with secrets: DB_PASSWORD=…,
#                          SEATUNNEL_PY_STATE_STORE=postgresql://…, AWS_SECRET_ACCESS_KEY=… (none)
#   SEATUNNEL_PY_NETWORK   docker network                                      (host)
#   SEATUNNEL_PY_STOP_TIMEOUT  seconds the job gets for its final checkpoint when this script is
#                          stopped (SIGTERM/SIGINT/SIGHUP) before docker kills it            (60)
#   DOCKER                 the docker client                                  (docker)
set -euo pipefail
CONFIG=${SEATUNNEL_PY_CONFIG:-/etc/seatunnel-py/run.env}
# shellcheck disable=SC1090
if [ -f "$CONFIG" ]; then set -a; . "$CONFIG"; set +a; fi

job=${1:?usage: run-container.sh JOB_FILE [seatunnel-py run options...]}
shift
image=${SEATUNNEL_PY_IMAGE:-seatunnel-py:latest}
jobs=${SEATUNNEL_PY_JOBS:-/etc/seatunnel-py/jobs}
state=${SEATUNNEL_PY_STATE:-/var/lib/seatunnel-py/state}
docker=${DOCKER:-docker}
[ -f "$jobs/$job" ] || { echo "run-container.sh: no job file $jobs/$job" >&2; exit 2; }

args=(run --rm --network "${SEATUNNEL_PY_NETWORK:-host}"
      --label "seatunnel-py.job=$job"
      --stop-timeout "${SEATUNNEL_PY_STOP_TIMEOUT:-60}"
      -v "$jobs:/jobs:ro" -v "$state:/state")
[ -z "${SEATUNNEL_PY_DATA:-}" ] || args+=(-v "$SEATUNNEL_PY_DATA:/data")
[ -z "${SEATUNNEL_PY_ENV_FILE:-}" ] || args+=(--env-file "$SEATUNNEL_PY_ENV_FILE")

# The container is not a child of this script: when the scheduler stops this script, stop the
# container the way `docker stop` does (SIGTERM: the job takes its final checkpoint and exits 0).
cidfile=$(mktemp -u "${TMPDIR:-/tmp}/seatunnel-py-cid.XXXXXX")
stop() {
  trap '' TERM INT HUP
  [ -s "$cidfile" ] && "$docker" stop -t "${SEATUNNEL_PY_STOP_TIMEOUT:-60}" "$(cat "$cidfile")" >/dev/null 2>&1 || true
}
trap stop TERM INT HUP
trap 'rm -f "$cidfile"' EXIT

"$docker" "${args[@]}" --cidfile "$cidfile" "$image" run --no-progress "/jobs/$job" "$@" </dev/null &
client=$!
rc=0
wait "$client" || rc=$?
while kill -0 "$client" 2>/dev/null; do   # a trapped signal interrupted `wait`: wait for the stop
  rc=0
  wait "$client" || rc=$?
done
exit "$rc"
