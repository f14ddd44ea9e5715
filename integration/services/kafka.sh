#!/usr/bin/env bash
# Apache Kafka, KRaft mode, single node (broker + controller), on 127.0.0.1:9092.
#
#   integration/services/kafka.sh start   install what is missing, start, wait until it answers
#   integration/services/kafka.sh stop    stop the broker (data is kept)
#   integration/services/kafka.sh status  exit 0 when the broker answers
#
# The broker is assembled from Maven Central: `mvn dependency:copy-dependencies` on
# org.apache.kafka:kafka_2.13 gives every jar; they are cached under
# ${SEATUNNEL_PY_CACHE:-~/.cache/seatunnel-py}/kafka/<version>/libs so later runs need no
# download. It runs with the machine's Java as a plain background process; data and logs
# live under ${SEATUNNEL_PY_SERVICES:-~/.local/share/seatunnel-py/services}/kafka.
# kcat (Debian package) is installed as the independent client the tests check with.
set -euo pipefail

KAFKA_VERSION=${KAFKA_VERSION:-4.1.1}
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
HEAP=${KAFKA_HEAP:--Xms256m -Xmx512m}
CACHE=${SEATUNNEL_PY_CACHE:-$HOME/.cache/seatunnel-py}/kafka/$KAFKA_VERSION
HOME_DIR=${SEATUNNEL_PY_SERVICES:-$HOME/.local/share/seatunnel-py/services}/kafka
DATA=$HOME_DIR/data
LOGS=$HOME_DIR/logs
PIDFILE=$HOME_DIR/kafka.pid
CONF=$HOME_DIR/server.properties

log() { echo "kafka: $*"; }

answers() {
  # the broker answers when a metadata request over its listener succeeds
  kcat -b "127.0.0.1:$PORT" -L -m 3 >/dev/null 2>&1
}

running_pid() {
  if [ -f "$PIDFILE" ]; then
    local pid
    pid=$(cat "$PIDFILE")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "$pid"
      return 0
    fi
  fi
  return 1
}

install_kcat() {
  if command -v kcat >/dev/null 2>&1; then return 0; fi
  log "installing kcat (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq kcat >/dev/null
}

install_jars() {
  if [ -f "$CACHE/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn is needed to assemble Kafka"; exit 1; }
  command -v java >/dev/null || { log "java is needed to run Kafka"; exit 1; }
  log "assembling Kafka $KAFKA_VERSION from Maven Central into $CACHE"
  mkdir -p "$CACHE"
  cat >"$CACHE/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>seatunnel-py</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>2.24.3</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>2.24.3</version>
    </dependency>
  </dependencies>
</project>
POM
  rm -rf "$CACHE/libs"
  mvn -q -B -Dstyle.color=never -f "$CACHE/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$CACHE/libs"
  rm -rf "$CACHE/m2"
  touch "$CACHE/.complete"
}

write_config() {
  mkdir -p "$DATA" "$LOGS"
  cat >"$CONF" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.network.threads=2
num.io.threads=2
background.threads=2
log.retention.hours=24
log.segment.bytes=268435456
PROPS
  cat >"$HOME_DIR/log4j2.properties" <<L4J
status = error
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $LOGS/server.log
appender.file.filePattern = $LOGS/server.log.%i
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
L4J
}

java_cmd() {
  # shellcheck disable=SC2206
  JAVA=(java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xss512k -Djava.awt.headless=true
        -Dlog4j2.configurationFile="$HOME_DIR/log4j2.properties" -cp "$CACHE/libs/*")
}

format_storage() {
  if [ -f "$DATA/meta.properties" ]; then return 0; fi
  log "formatting storage in $DATA"
  local cluster_id
  java_cmd
  cluster_id=$("${JAVA[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
  "${JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONF" >"$LOGS/format.log" 2>&1 \
    || { cat "$LOGS/format.log" >&2; exit 1; }
}

start() {
  if answers; then
    log "already running on 127.0.0.1:$PORT"
    return 0
  fi
  install_kcat
  install_jars
  write_config
  format_storage
  if ! running_pid >/dev/null; then
    log "starting on 127.0.0.1:$PORT (logs in $LOGS)"
    # setsid: the broker outlives the shell (and a test) that started it
    java_cmd
    setsid "${JAVA[@]}" kafka.Kafka "$CONF" >"$LOGS/stdout.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
  fi
  for _ in $(seq 1 120); do
    if answers; then
      log "ready on 127.0.0.1:$PORT"
      return 0
    fi
    if ! running_pid >/dev/null; then
      log "the broker exited; last lines of $LOGS:"
      tail -n 20 "$LOGS/stdout.log" "$LOGS/server.log" 2>/dev/null >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  log "the broker did not answer within 60 s (see $LOGS)"
  exit 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    log "not running"
    rm -f "$PIDFILE"
    return 0
  fi
  log "stopping (pid $pid)"
  kill "$pid"
  for _ in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      log "stopped"
      return 0
    fi
    sleep 0.5
  done
  log "still running after 30 s, killing"
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
