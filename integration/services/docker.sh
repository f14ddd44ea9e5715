#!/usr/bin/env bash
# A Docker engine for the container tests, and the base image the project's Dockerfile starts from.
#
#   integration/services/docker.sh start   install what is missing, start dockerd, make the base image
#   integration/services/docker.sh stop    stop the dockerd this script started (images are kept)
#   integration/services/docker.sh status  exit 0 when an engine answers and the base image is there
#
# On our machines no registry is reachable and no engine runs:
# * the engine is Debian's `docker.io` (dockerd, containerd, runc, docker-init), installed
#   without letting apt start it, and run by this script as a plain background process with no
#   bridge network and no iptables (containers use `--network host` or `--network none`);
# * the base image is made here, since nothing can be pulled: `debootstrap --variant=minbase`
#   of the machine's Debian suite with python3, venv and pip, from the mirror apt already uses,
#   with the host's extra CA certificates (this network's HTTPS goes through a local authority)
#   and without Debian's EXTERNALLY-MANAGED marker, so it behaves like the official image. It
#   is imported as local/debian-python:<suite> and also tagged with the name the Dockerfile's
#   FROM uses (python:3.11-slim-bookworm), which the classic builder then uses without pulling.
#   The root filesystem is cached as a tarball under ${SEATUNNEL_PY_CACHE:-~/.cache/seatunnel-py}/docker,
#   so a new engine (or a clean /var/lib/docker) imports it in seconds.
#
# When an engine already answers (a developer's own Docker), nothing is installed or started,
# and the official image is pulled if it is missing; the stand-in is made only when that fails.
#
# An engine that cannot start on this machine (a kernel without overlayfs or vfs, no root) is not
# a failure of `start`: the reason is written to $HOME_DIR/unavailable and printed, and the
# container tests skip with that reason. Anything else (apt, debootstrap) fails as usual.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

BASE_ALIAS=${SEATUNNEL_PY_BASE_IMAGE:-python:3.11-slim-bookworm}
SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
BASE_IMAGE=local/debian-python:$SUITE
CACHE=${SEATUNNEL_PY_CACHE:-$HOME/.cache/seatunnel-py}/docker
HOME_DIR=${SEATUNNEL_PY_SERVICES:-$HOME/.local/share/seatunnel-py/services}/docker
PIDFILE=$HOME_DIR/dockerd.pid
UNAVAILABLE=$HOME_DIR/unavailable
PACKAGES=python3,python3-venv,python3-pip,python-is-python3,ca-certificates
FAILURES=""   # why dockerd did not start, per storage driver

log() { echo "docker: $*"; }

answers() { docker info >/dev/null 2>&1; }

install_packages() {
  local need=()
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  [ ${#need[@]} -eq 0 ] && return 0
  log "installing ${need[*]} (apt)"
  local policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then   # keep the package from starting its own daemon
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  local rc=0
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" \
    >"$HOME_DIR/apt.log" 2>&1 || rc=$?
  [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
  if [ $rc -ne 0 ]; then tail -n 20 "$HOME_DIR/apt.log" >&2; return $rc; fi
}

# A daemon killed hard leaves its pid file (a new daemon refuses to start while it exists), and
# so does its containerd: remove those whose process is gone (or a zombie, or another program).
clear_stale_pidfiles() {
  local file name p
  for file in /var/run/docker.pid:dockerd /var/run/docker/containerd/containerd.pid:containerd; do
    name=${file##*:}
    file=${file%:*}
    [ -f "$file" ] || continue
    p=$(cat "$file")
    if [ "$(cat "/proc/$p/comm" 2>/dev/null)" != "$name" ] || grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null; then
      rm -f "$file"
    fi
  done
}

start_daemon() {
  local driver attempt pid why
  for driver in ${SEATUNNEL_PY_DOCKER_STORAGE:-overlay2 vfs}; do   # vfs: kernels without overlayfs
    for attempt in 1 2; do   # a second try: after a daemon killed hard, containerd may not come up at once
      clear_stale_pidfiles
      umount /run/docker/netns/default 2>/dev/null || true
      log "starting dockerd (storage driver $driver; log $HOME_DIR/dockerd.log)"
      # setsid: the daemon outlives this script, like the other services
      setsid dockerd --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
        --storage-driver="$driver" >"$HOME_DIR/dockerd.log" 2>&1 </dev/null &
      pid=$!
      echo "$pid" >"$PIDFILE"
      for _ in $(seq 1 120); do
        if answers; then log "dockerd answers (pid $pid)"; return 0; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      log "dockerd did not start with $driver (try $attempt); its last lines:"
      tail -n 5 "$HOME_DIR/dockerd.log" | sed 's/^/    /'
      why=$(grep -E 'failed to start (daemon|containerd)|level=(fatal|error)' "$HOME_DIR/dockerd.log" | tail -n 1)
      [ -n "$why" ] || why=$(tail -n 1 "$HOME_DIR/dockerd.log")
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      rm -f "$PIDFILE"
      # a storage driver the kernel lacks will not work on a second try
      if grep -qE 'graphdriver|driver not supported' "$HOME_DIR/dockerd.log" || [ "$attempt" = 2 ]; then
        FAILURES="${FAILURES:+$FAILURES; }$driver: $(echo "$why" | cut -c1-300)"
        break
      fi
    done
  done
  return 1
}

# The Debian mirror apt uses for the machine's suite (deb822 *.sources first, else sources.list).
apt_mirror() {
  local m="" f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    m=$(awk -v s="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
      { u = ""; ok = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); u = a[2] }
          if ($i ~ /^Suites:/) { n = split($i, b, /[ \t]+/); for (j = 2; j <= n; j++) if (b[j] == s) ok = 1 }
        }
        if (ok && u != "") { print u; exit } }' "$f")
    [ -n "$m" ] && break
  done
  [ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk -v s="$SUITE" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i ~ /^[a-z]+:\/\// && $(i + 1) == s) { print $i; exit } }')
  echo "$m"
}

# The tarball's name changes with what goes into it: the suite, the packages, the host's CA files.
rootfs_tarball() {
  local key
  key=$( { echo "$SUITE $PACKAGES"; cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true; } |
    sha256sum | cut -c1-12)
  echo "$CACHE/debian-python-$SUITE-$key.tar.gz"
}

make_rootfs() {
  local tarball=$1 mirror rootfs
  mirror=$(apt_mirror)
  [ -n "$mirror" ] || { log "no Debian mirror for $SUITE in apt's sources"; return 1; }
  rootfs=$(mktemp -d /var/tmp/seatunnel-py-rootfs.XXXXXX)
  ROOTFS=$rootfs   # removed by cleanup, also when this fails half-way
  log "debootstrap $SUITE from $mirror (once; cached as $tarball)"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" "$mirror" \
    >"$HOME_DIR/debootstrap.log" 2>&1 || { tail -n 20 "$HOME_DIR/debootstrap.log" >&2; return 1; }
  if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
  fi
  rm -f "$rootfs"/usr/lib/python3*/EXTERNALLY-MANAGED   # `pip install` works as in python:3.x images
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/*.log
  mkdir -p "$CACHE"
  tar --numeric-owner -C "$rootfs" -c . | gzip -1 >"$tarball.part"
  mv "$tarball.part" "$tarball"
  cleanup_rootfs
}

ROOTFS=""
cleanup_rootfs() {
  [ -n "$ROOTFS" ] && [ -d "$ROOTFS" ] || return 0
  local m
  for m in dev/pts dev proc sys; do umount -l "$ROOTFS/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$ROOTFS" "$CACHE"/*.part
  ROOTFS=""
}
trap cleanup_rootfs EXIT

make_base() {
  if docker image inspect "$BASE_ALIAS" >/dev/null 2>&1; then
    log "base image $BASE_ALIAS is there"
    return 0
  fi
  if [ -z "${SEATUNNEL_PY_LOCAL_BASE:-}" ] && [ ! -f "$PIDFILE" ]; then
    # an engine this script did not start (a developer's Docker) may reach a registry
    if timeout 120 docker pull -q "$BASE_ALIAS" >/dev/null 2>&1; then log "pulled $BASE_ALIAS"; return 0; fi
    log "$BASE_ALIAS cannot be pulled: making a stand-in"
  fi
  if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    local tarball
    tarball=$(rootfs_tarball)
    [ -f "$tarball" ] || make_rootfs "$tarball"
    log "importing $tarball as $BASE_IMAGE"
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' \
      "$tarball" "$BASE_IMAGE" >/dev/null
  fi
  docker tag "$BASE_IMAGE" "$BASE_ALIAS"
  log "base image $BASE_ALIAS is $BASE_IMAGE (Debian's python3, made here)"
}

start() {
  mkdir -p "$HOME_DIR"
  rm -f "$UNAVAILABLE"
  if ! answers; then
    install_packages
    if ! start_daemon; then
      echo "the Docker engine cannot start on this machine (dockerd from Debian's docker.io) - $FAILURES" \
        >"$UNAVAILABLE"
      log "WARNING: $(cat "$UNAVAILABLE")"
      log "WARNING: the container tests will be skipped (see $HOME_DIR/dockerd.log)"
      return 0
    fi
  else
    log "an engine already answers"
  fi
  make_base
}

stop() {
  local pid
  if [ -f "$PIDFILE" ] && pid=$(cat "$PIDFILE") && kill -0 "$pid" 2>/dev/null; then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    umount /run/docker/netns/default 2>/dev/null || true   # dockerd leaves this mount behind
    log "stopped"
  else
    log "no dockerd started by this script is running"
  fi
  rm -f "$PIDFILE"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) answers && docker image inspect "$BASE_ALIAS" >/dev/null 2>&1 ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
