#!/usr/bin/env bash
# Makes sure PostgreSQL, Redis and nats-server (JetStream, file store) are installed and running
# on loopback, the way a fresh Debian 12 machine needs them. Idempotent: safe to run any time;
# used by `npm start`, `npm test` and .ci/run. Set WITH_BROWSER=1 (npm test does) to also install
# the test tools: chromium, and promtool (infra/install-promtool.sh: the binary only, no service).
set -euo pipefail

DATA_DIR="${MICROTICK_DATA_DIR:-/var/lib/microtick}"
PG_USER="${MICROTICK_PG_USER:-microtick}"
PG_PASSWORD="${MICROTICK_PG_PASSWORD:-microtick}"

log() { printf '[infra] %s\n' "$*"; }

packages=()
command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || packages+=(postgresql)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
[ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null 2>&1 || packages+=(nats-server)
if [ "${WITH_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then packages+=(chromium); fi

if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "MicroTick needs these Debian packages: ${packages[*]}" >&2
    echo "Install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
  log "installing ${packages[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# --- PostgreSQL ---------------------------------------------------------------------------
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx main; then
  log "creating PostgreSQL $pg_version cluster"
  pg_createcluster "$pg_version" main >/dev/null
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start
fi
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
psql_admin() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "psql -qtAX -v ON_ERROR_STOP=1 $*"; else psql -qtAX -v ON_ERROR_STOP=1 "$@"; fi; }
if [ "$(psql_admin "-c \"select 1 from pg_roles where rolname = '$PG_USER'\"")" != 1 ]; then
  log "creating PostgreSQL role $PG_USER"
  psql_admin "-c \"create role $PG_USER login createdb password '$PG_PASSWORD'\""
fi
# Tests, replicas and a running `npm start` share this server: allow more than the default 100.
if [ "$(psql_admin "-c 'show max_connections'")" -lt 400 ]; then
  log "raising max_connections to 400 (restarts PostgreSQL once)"
  psql_admin "-c 'alter system set max_connections = 400'"
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main restart
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi

# --- Redis (append-only file, so pending expiration jobs survive a restart) -----------------
mkdir -p "$DATA_DIR/redis"
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis (AOF in $DATA_DIR/redis)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --dir "$DATA_DIR/redis" \
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction
fi
for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done

# --- NATS with JetStream (file store) -----------------------------------------------------
mkdir -p "$DATA_DIR/nats"
nats_up() { (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; }
if ! nats_up; then
  log "starting nats-server (JetStream in $DATA_DIR/nats)"
  nats_bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  start-stop-daemon --start --oknodo --background --exec "$nats_bin" -- \
    -a 127.0.0.1 -p 4222 -js -sd "$DATA_DIR/nats"
fi
for _ in $(seq 1 50); do nats_up && break; sleep 0.2; done

if [ "${WITH_BROWSER:-0}" = 1 ]; then bash "$(dirname "$0")/install-promtool.sh"; fi

pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start" >&2; exit 1; }
nats_up || { echo "nats-server did not start" >&2; exit 1; }
log "PostgreSQL, Redis and NATS JetStream are running on 127.0.0.1"
