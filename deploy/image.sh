#!/usr/bin/env bash
# Build the seatunnel-py image from the project's Dockerfile (what `make image` runs).
#
#   deploy/image.sh                     tag seatunnel-py:latest, every bundled connector
#   IMAGE=seatunnel-py:files CONNECTORS="files" deploy/image.sh
#
# Env: IMAGE       the tag                                   (default seatunnel-py:latest)
#      CONNECTORS  connectors/<name> folders to bundle       (default: all of them)
#      EXTRAS      extras of the core                        (default state-sql,metrics)
#      WHEELS_PORT loopback port the wheels are served on    (default 38765)
#
# 1. A Docker engine and the base image: integration/services/docker.sh start (on our machines it
#    installs and starts dockerd and makes the base image; with your own Docker it does nothing, or
#    pulls python:3.11-slim-bookworm). Exit 3 when no engine can start here.
# 2. Every wheel the image needs (the project's dependencies for CPython 3.11 on Linux x86_64,
#    dumb-init, the build backend) is downloaded once into ${SEATUNNEL_PY_CACHE:-~/.cache/seatunnel-py}/wheels
#    and downloaded again only when a pyproject.toml or the connector choice changes.
# 3. They are served on 127.0.0.1 while `docker build --network host` runs, so the build installs
#    from them without PyPI (WHEELS build argument). The port is fixed so the layer cache holds.
set -euo pipefail
export DOCKER_BUILDKIT=0   # the classic builder: no buildx on our machines, and the Dockerfile needs none
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

IMAGE=${IMAGE:-seatunnel-py:latest}
CONNECTORS=${CONNECTORS-$(cd connectors && ls -d */ | tr -d / | tr '\n' ' ' | sed 's/ $//')}
EXTRAS=${EXTRAS-state-sql,metrics}
PORT=${WHEELS_PORT:-38765}
PYTHON_VERSION=3.11   # the Python of the Dockerfile's FROM image
CACHE=${SEATUNNEL_PY_CACHE:-$HOME/.cache/seatunnel-py}
WHEELHOUSE=$CACHE/wheels/cp${PYTHON_VERSION/./}
UNAVAILABLE=${SEATUNNEL_PY_SERVICES:-$HOME/.local/share/seatunnel-py/services}/docker/unavailable
SERVER_PID=""

log() { echo "image: $*"; }
cleanup() { [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

host_python() {
  if [ -x "$root/.venv/bin/python" ]; then echo "$root/.venv/bin/python"; else command -v python3; fi
}

engine() {
  bash integration/services/docker.sh start
  if [ -f "$UNAVAILABLE" ]; then cat "$UNAVAILABLE" >&2; exit 3; fi
}

wheels() {
  local py stamp targets=(".${EXTRAS:+[$EXTRAS]}") c
  for c in $CONNECTORS; do
    [ -f "connectors/$c/pyproject.toml" ] || { log "CONNECTORS: no connector '$c'"; exit 2; }
    targets+=("./connectors/$c")
  done
  stamp=$WHEELHOUSE/.complete-$( { echo "$CONNECTORS|$EXTRAS"; cat pyproject.toml connectors/*/pyproject.toml; } |
    sha256sum | cut -c1-16)
  if [ -f "$stamp" ]; then log "wheels: $WHEELHOUSE (cached)"; return 0; fi
  py=$(host_python)
  log "wheels: downloading what the image needs into $WHEELHOUSE"
  mkdir -p "$WHEELHOUSE"
  # binary wheels for the image's Python on Linux x86_64, whatever the host runs; the project's own
  # packages are only resolved here (the image builds them from its sources)
  local tmp
  tmp=$(mktemp -d)
  "$py" -m pip wheel --quiet --no-deps --wheel-dir "$tmp" "${targets[@]}" >/dev/null
  local core connectors=() platforms=() v
  core=$(ls "$tmp"/seatunnel_py-*.whl)
  for v in "$tmp"/seatunnel_py_*.whl; do [ ! -f "$v" ] || connectors+=("$v"); done
  for v in $(seq 5 36); do platforms+=(--platform "manylinux_2_${v}_x86_64"); done   # glibc of bookworm: 2.36
  PIP_FIND_LINKS="" "$py" -m pip download --quiet --dest "$WHEELHOUSE" --only-binary=:all: \
    --python-version "$PYTHON_VERSION" --implementation cp "${platforms[@]}" \
    --find-links "$tmp" "$core${EXTRAS:+[$EXTRAS]}" "${connectors[@]}" \
    dumb-init "setuptools>=77" wheel
  rm -f "$WHEELHOUSE"/seatunnel_py*.whl
  rm -rf "$tmp"
  touch "$stamp"
}

serve() {
  local py
  py=$(host_python)
  "$py" -m http.server --bind 127.0.0.1 --directory "$WHEELHOUSE" "$PORT" >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 50); do
    if "$py" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/', timeout=1)" 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { log "cannot serve the wheels on 127.0.0.1:$PORT (set WHEELS_PORT)"; exit 1; }
    sleep 0.1
  done
  log "the wheel server on 127.0.0.1:$PORT does not answer"
  exit 1
}

build() {
  local version revision created start
  version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n1)
  revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  created=$(git log -1 --format=%cI 2>/dev/null || true)
  log "building $IMAGE (connectors: ${CONNECTORS:-none}; extras: ${EXTRAS:-none})"
  start=$(date +%s.%N)
  docker build --network host --force-rm -t "$IMAGE" \
    --build-arg CONNECTORS="$CONNECTORS" --build-arg EXTRAS="$EXTRAS" \
    --build-arg WHEELS="http://127.0.0.1:$PORT/" \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
    . >"${BUILD_LOG:-/dev/stdout}"
  log "built $IMAGE in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s:" \
    "$(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
}

engine
wheels
serve
build
# images the build left untagged (earlier builds, the build stage) serve as its cache for a day
docker image prune -f --filter until=24h >/dev/null
