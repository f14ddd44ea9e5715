# seatunnel-py: the image that cron, a systemd timer, a Kubernetes CronJob or DolphinScheduler runs.
#
#   docker build -t seatunnel-py .                                  # every bundled connector
#   docker build --build-arg CONNECTORS="files jdbc" -t seatunnel-py:files-jdbc .
#   docker run --rm -v "$PWD/jobs:/jobs:ro" -v seatunnel-state:/state seatunnel-py run /jobs/job.conf
#
# Volumes: /jobs (job files, read-only is enough) and /state (checkpoints and run locks: the
# default state store; keep it outside the container, or use a database or object store).
# `make image` builds it with the wheels cached under ~/.cache/seatunnel-py (deploy/image.sh).
# Works with the classic builder (no BuildKit features); docs/containers.md has the details.

# ---- build: wheels of the core, the chosen connectors and every dependency, installed into a venv
FROM python:3.11-slim-bookworm AS build
# strip: some wheels ship unstripped libraries (connectorx 188 MB -> 134 MB); only this stage has it.
# Libraries that auditwheel vendored (*.libs/) are left alone: patchelf made them, strip breaks them
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends binutils >/dev/null \
 && rm -rf /var/lib/apt/lists/*
# connectors/<name> folders to include, separated by spaces ("" for the core only)
ARG CONNECTORS="clickhouse files jdbc kafka sql"
# extras of the core: state-sql brings the SQLite/PostgreSQL/MySQL state stores
ARG EXTRAS="state-sql,metrics"
# a find-links URL holding every wheel needed (deploy/image.sh serves ~/.cache/seatunnel-py/wheels);
# empty: download from PyPI
ARG WHEELS=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY pyproject.toml README.md ./
COPY seatunnel_py ./seatunnel_py
COPY connectors ./connectors
RUN set -eu; \
    if [ -n "$WHEELS" ]; then export PIP_NO_INDEX=1 PIP_FIND_LINKS="$WHEELS"; fi; \
    targets="/src${EXTRAS:+[$EXTRAS]}"; \
    for c in $CONNECTORS; do \
      if [ ! -f "connectors/$c/pyproject.toml" ]; then \
        echo "CONNECTORS: no connector '$c' (there are: $(ls connectors | tr '\n' ' '))" >&2; exit 2; \
      fi; \
      targets="$targets /src/connectors/$c"; \
    done; \
    pip wheel --quiet --wheel-dir /wheels $targets dumb-init; \
    python -m venv /opt/seatunnel-py; \
    /opt/seatunnel-py/bin/pip install --quiet --no-index --find-links /wheels /wheels/*.whl; \
    /opt/seatunnel-py/bin/pip uninstall --quiet --yes pip setuptools wheel 2>/dev/null || true; \
    site=$(/opt/seatunnel-py/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
    find "$site" -depth -type d -name tests -prune -exec rm -rf {} +; \
    rm -rf "$site/pyarrow/include" "$site/pyarrow/src"; \
    find "$site" -name '*.so*' -type f -not -path '*.libs/*' -exec strip --strip-unneeded {} +; \
    /opt/seatunnel-py/bin/python -m compileall -q "$site" >/dev/null || true; \
    /opt/seatunnel-py/bin/seatunnel-py plugins list >/dev/null; \
    /opt/seatunnel-py/bin/python -c 'import importlib, importlib.util as u; \
[importlib.import_module(m) for m in ("pyarrow.parquet", "pyarrow.dataset", "pyarrow.fs", "pyarrow.orc", \
 "pyarrow.compute", "pyarrow.json", "pyarrow.csv", "numpy", "connectorx", "adbc_driver_postgresql.dbapi", \
 "confluent_kafka", "clickhouse_connect", "duckdb", "sqlalchemy", "psycopg", "pymysql") \
 if u.find_spec(m.split(".")[0])]'

# ---- runtime: Python, the venv, nothing else (no compilers, wheels or caches)
FROM python:3.11-slim-bookworm
RUN useradd --uid 10001 --gid 0 --home-dir /home/seatunnel --create-home --shell /usr/sbin/nologin seatunnel \
 && mkdir -p /jobs /state \
 && chown 10001:0 /state && chmod 0775 /state
COPY --from=build /opt/seatunnel-py /opt/seatunnel-py
ENV PATH=/opt/seatunnel-py/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SEATUNNEL_PY_STATE_STORE=/state
USER 10001
WORKDIR /jobs
VOLUME ["/jobs", "/state"]
# dumb-init as PID 1 forwards SIGTERM (docker stop, a Kubernetes eviction) to seatunnel-py, which
# takes its final checkpoint and exits 0, and reaps any orphaned child
ENTRYPOINT ["dumb-init", "--", "seatunnel-py"]
CMD ["--help"]
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=""
ARG CONNECTORS="clickhouse files jdbc kafka sql"
LABEL org.opencontainers.image.title="seatunnel-py" \
      org.opencontainers.image.description="Config-driven data integration: SeaTunnel-style HOCON jobs on an Apache Arrow pipeline" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.created="$CREATED" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim-bookworm" \
      seatunnel-py.connectors="$CONNECTORS"
