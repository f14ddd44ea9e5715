#!/usr/bin/env bash
# An S3-compatible server for the object-store state tests: moto in server mode, on 127.0.0.1:5000.
#
#   integration/services/s3.sh start   install what is missing, start, wait until it answers
#   integration/services/s3.sh stop    stop the server (moto keeps its buckets in memory: they go)
#   integration/services/s3.sh status  exit 0 when the server answers
#
# moto[server] (PyPI) is installed into a venv of its own under
# ${SEATUNNEL_PY_SERVICES:-~/.local/share/seatunnel-py/services}/s3 (pip's downloads cached under
# ${SEATUNNEL_PY_CACHE:-~/.cache/seatunnel-py}/pip), and runs as a plain background process.
#
# Authentication is on, as on a real service: after start an IAM user with an access key is
# created and moto is told to check every request's signature from then on. The key is written
# to $HOME_DIR/credentials (AWS_ACCESS_KEY_ID=…, AWS_SECRET_ACCESS_KEY=…, mode 0600) for the tests.
# A restarted server has a new key.
set -euo pipefail

MOTO_VERSION=${MOTO_VERSION:-5.2.5}
HOST=127.0.0.1
PORT=${S3_PORT:-5000}
HOME_DIR=${SEATUNNEL_PY_SERVICES:-$HOME/.local/share/seatunnel-py/services}/s3
VENV=$HOME_DIR/venv
PIDFILE=$HOME_DIR/moto.pid
LOG=$HOME_DIR/moto.log
CREDENTIALS=$HOME_DIR/credentials
export PIP_CACHE_DIR=${SEATUNNEL_PY_CACHE:-$HOME/.cache/seatunnel-py}/pip PIP_DISABLE_PIP_VERSION_CHECK=1

log() { echo "s3: $*"; }

answers() {   # any HTTP answer will do (S3 requests without a signature get 403)
  python3 - "$HOST" "$PORT" 2>/dev/null <<'PY'
import sys
import urllib.error
import urllib.request

try:
    urllib.request.urlopen(f"http://{sys.argv[1]}:{sys.argv[2]}/", timeout=5)
except urllib.error.HTTPError:
    pass
PY
}

running_pid() {
  local pid
  [ -f "$PIDFILE" ] && pid=$(cat "$PIDFILE") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install() {
  if [ -x "$VENV/bin/moto_server" ] && [ "$(cat "$VENV/.moto-version" 2>/dev/null)" = "$MOTO_VERSION" ]; then return 0; fi
  log "installing moto[server]==$MOTO_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION"
  echo "$MOTO_VERSION" >"$VENV/.moto-version"
}

# An IAM user allowed everything, its access key, then signatures are checked on every request.
enable_auth() {
  (umask 077; "$VENV/bin/python" - "$HOST" "$PORT" >"$CREDENTIALS.part" <<'PY'
import json
import sys
import urllib.request
import uuid

import boto3

host, port = sys.argv[1], sys.argv[2]
endpoint = f"http://{host}:{port}"
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
user = f"seatunnel-{uuid.uuid4().hex[:8]}"
iam.create_user(UserName=user)
iam.put_user_policy(UserName=user, PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName=user)["AccessKey"]
# from now on: no request without a valid signature (the body is the number of free requests left)
request = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", method="POST", data=b"0",
                                 headers={"Content-Type": "text/plain"})
urllib.request.urlopen(request, timeout=10).read()
print(f"AWS_ACCESS_KEY_ID={key['AccessKeyId']}")
print(f"AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']}")
PY
  )
  mv "$CREDENTIALS.part" "$CREDENTIALS"
}

start() {
  mkdir -p "$HOME_DIR"
  if answers && [ -s "$CREDENTIALS" ]; then log "already running on $HOST:$PORT"; return 0; fi
  install
  if ! running_pid >/dev/null; then
    log "starting moto on $HOST:$PORT (log $LOG)"
    rm -f "$CREDENTIALS"
    # setsid: the server outlives the shell (and a test) that started it
    setsid "$VENV/bin/moto_server" -H "$HOST" -p "$PORT" >"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
  fi
  for _ in $(seq 1 120); do
    if answers; then
      [ -s "$CREDENTIALS" ] || enable_auth
      log "ready on $HOST:$PORT (credentials in $CREDENTIALS)"
      return 0
    fi
    running_pid >/dev/null || { log "the server exited; last lines of $LOG:"; tail -n 20 "$LOG" >&2; exit 1; }
    sleep 0.5
  done
  log "the server did not answer within 60 s (see $LOG)"
  exit 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then log "not running"; rm -f "$PIDFILE"; return 0; fi
  log "stopping (pid $pid)"
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE" "$CREDENTIALS"; log "stopped"; return 0; }
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE" "$CREDENTIALS"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
