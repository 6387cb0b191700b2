#!/usr/bin/env bash
# Makes sure PostgreSQL, Redis and nats-server (JetStream, file store) are installed and running
# on loopback, the way a fresh Debian 12 machine needs them, and that Redis and NATS require
# credentials. Idempotent: safe to run any time; used by `npm start`, `npm test` and .ci/run.
# Set WITH_BROWSER=1 (npm test does) to also install the test tools: chromium, and promtool
# (infra/install-promtool.sh: the binary only, no service).
#
# Credentials are generated once into $MICROTICK_SECRETS_DIR (default /var/lib/microtick/secrets,
# mode 0700, files 0600), outside the repository: one NATS user per service plus `admin` (stream
# management, test harnesses), Redis users `expiration` and `admin`, and the JWT key `npm start`
# signs sessions with. A NATS or Redis found running WITHOUT authentication (as an older
# setup.sh left it) is restarted once with the authenticated configuration; its data stays.
# docs/security.md explains the identities and permissions.
set -euo pipefail

DATA_DIR="${MICROTICK_DATA_DIR:-/var/lib/microtick}"
SECRETS_DIR="${MICROTICK_SECRETS_DIR:-$DATA_DIR/secrets}"
NATS_PORT="${MICROTICK_NATS_PORT:-4222}"
REDIS_PORT="${MICROTICK_REDIS_PORT:-6379}"
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
# `npm start` reaches the server over its unix socket (a quarter less client CPU per round trip
# than loopback TCP; docs/benchmarks.md, "Wave 9 — runtime and consumers"). Debian lets a local
# connection in only as the operating-system user of the same name (`local all all peer`): the
# role logs in with its password there too, by a line that must come before that one.
pg_hba=$(psql_admin "-c 'show hba_file'")
if ! grep -Eq "^local[[:space:]]+all[[:space:]]+$PG_USER[[:space:]]+scram-sha-256[[:space:]]*$" "$pg_hba"; then
  if [ ! -w "$pg_hba" ]; then
    echo "MicroTick logs in to PostgreSQL over its unix socket with a password: add this line to $pg_hba" >&2
    echo "before \`local all all peer\`, as root, reload PostgreSQL, then run this again:" >&2
    echo "  local   all   $PG_USER   scram-sha-256" >&2
    exit 1
  fi
  log "letting $PG_USER log in with its password over PostgreSQL's unix socket ($pg_hba)"
  awk -v line="local   all             $PG_USER                               scram-sha-256" '
    !done && /^local[[:space:]]+all[[:space:]]+all[[:space:]]/ { print line; done = 1 }
    { print }
    END { if (!done) print line }' "$pg_hba" >"$pg_hba.tmp"
  chown --reference="$pg_hba" "$pg_hba.tmp" 2>/dev/null || true
  chmod --reference="$pg_hba" "$pg_hba.tmp"
  mv "$pg_hba.tmp" "$pg_hba"
  psql_admin "-c 'select pg_reload_conf()'" >/dev/null
fi
# Tests, replicas and a running `npm start` share this server: allow more than the default 100.
if [ "$(psql_admin "-c 'show max_connections'")" -lt 400 ]; then
  log "raising max_connections to 400 (restarts PostgreSQL once)"
  psql_admin "-c 'alter system set max_connections = 400'"
  pg_ctlcluster --skip-systemctl-redirect "$pg_version" main restart
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi

# --- Secrets (generated once, never in the repository) ---------------------------------------
NATS_SERVICE_USERS=(auth tickets orders payments expiration)
(umask 077; mkdir -p "$SECRETS_DIR")
chmod 700 "$SECRETS_DIR"
secret() { # secret NAME: prints the secret in $SECRETS_DIR/NAME, creating it (random, 0600) if missing
  local file="$SECRETS_DIR/$1"
  if [ ! -s "$file" ]; then
    (umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$file.tmp" && mv "$file.tmp" "$file")
    log "generated $file" >&2
  fi
  chmod 600 "$file"
  cat "$file"
}
secret jwt-key >/dev/null
for user in admin "${NATS_SERVICE_USERS[@]}"; do secret "nats-$user.password" >/dev/null; done
for user in admin expiration; do secret "redis-$user.password" >/dev/null; done

# Writes $2 to file $1 (mode 0600) only when it differs; returns 0 when it changed.
write_if_changed() {
  if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then return 1; fi
  (umask 077; printf '%s\n' "$2" >"$1.tmp" && mv "$1.tmp" "$1")
  chmod 600 "$1"
}
# The pid listening on 127.0.0.1:$1, if any.
pid_on_port() { ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1; }
wait_gone() { for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }

# --- Redis (append-only file, so pending expiration jobs survive a restart; ACL users) ------
mkdir -p "$DATA_DIR/redis"
redis_conf="$DATA_DIR/redis/redis.conf"
redis_acl="$DATA_DIR/redis/users.acl"
# `default` (no username) is off: every client names its user. expiration may run anything but
# the dangerous commands (FLUSHALL, CONFIG, KEYS, SHUTDOWN, DEBUG, …; INFO stays, BullMQ reads it).
acl_changed=0
write_if_changed "$redis_acl" "user default off
user admin on >$(secret redis-admin.password) ~* &* +@all
user expiration on >$(secret redis-expiration.password) ~* &* +@all -@dangerous +info" && acl_changed=1
write_if_changed "$redis_conf" "# Written by infra/setup.sh; regenerated on every run.
bind 127.0.0.1
port $REDIS_PORT
dir $DATA_DIR/redis
daemonize yes
pidfile $DATA_DIR/redis/redis.pid
logfile $DATA_DIR/redis/redis.log
appendonly yes
appendfsync everysec
maxmemory-policy noeviction
# BullMQ's worker waits for the next due timer with a blocking command whose timeout Redis checks
# hz times a second: at the default 10 an expiration fires up to 100 ms late.
hz 100
aclfile $redis_acl" || true
redis_admin() { REDISCLI_AUTH="$(secret redis-admin.password)" redis-cli --no-auth-warning --user admin -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" = PONG ]; then
  log "Redis on port $REDIS_PORT runs without a password: restarting it with ACL users (data stays in $DATA_DIR/redis)"
  redis_pid=$(pid_on_port "$REDIS_PORT")
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
  [ -z "$redis_pid" ] || wait_gone "$redis_pid" || { echo "Redis (pid $redis_pid) did not stop" >&2; exit 1; }
elif [ "$acl_changed" = 1 ] && redis_admin ping >/dev/null 2>&1; then
  log "reloading Redis ACL users"
  redis_admin acl load >/dev/null
fi
if ! redis_admin ping >/dev/null 2>&1; then
  if [ -n "$(pid_on_port "$REDIS_PORT")" ]; then
    echo "Redis on port $REDIS_PORT refuses the admin user in $SECRETS_DIR: stop it, or restore that directory" >&2
    exit 1
  fi
  log "starting Redis on 127.0.0.1:$REDIS_PORT (AOF in $DATA_DIR/redis, ACL users)"
  redis-server "$redis_conf"
fi
for _ in $(seq 1 50); do redis_admin ping >/dev/null 2>&1 && break; sleep 0.2; done
# A server started from an older redis.conf takes the timer resolution without a restart.
redis_admin config set hz 100 >/dev/null 2>&1 || true

# --- NATS with JetStream (file store) and one user per service -------------------------------
mkdir -p "$DATA_DIR/nats"
nats_conf="$DATA_DIR/nats/nats-server.conf"
nats_up() { (exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null; }
# The server's INFO line says whether it requires authentication.
nats_requires_auth() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$NATS_PORT; head -n 1 <&3" 2>/dev/null | grep -q '"auth_required":true'; }
# Each service publishes only its own aggregate's events, with or without a one-token subject
# prefix (NATS_SUBJECT_PREFIX), and may use the JetStream API its publisher and its durable pull
# consumers need, and read one stored event (the fairness question, consumer-progress.ts); it may
# neither create, change nor delete streams, nor delete consumers.
# Replies come to an inbox of its own (`_INBOX_<user>.>`), so no service reads another's.
nats_user() { # nats_user NAME DOMAIN
  local publish='"$JS.API.INFO", "$JS.API.STREAM.INFO.*", "$JS.API.STREAM.MSG.GET.*", "$JS.API.CONSUMER.CREATE.>", "$JS.API.CONSUMER.DURABLE.CREATE.>", "$JS.API.CONSUMER.INFO.>", "$JS.API.CONSUMER.MSG.NEXT.>", "$JS.ACK.>"'
  [ -z "$2" ] || publish="\"$2.*\", \"*.$2.*\", $publish"
  printf '    { user: %s, password: "%s", permissions: { publish: { allow: [%s] }, subscribe: { allow: ["_INBOX_%s.>"] } } }\n' \
    "$1" "$(secret "nats-$1.password")" "$publish" "$1"
}
nats_users=$(
  printf '    { user: admin, password: "%s", permissions: { publish: ">", subscribe: ">" } }\n' "$(secret nats-admin.password)"
  nats_user auth ""
  nats_user tickets ticket
  nats_user orders order
  nats_user payments payment
  nats_user expiration expiration
)
nats_changed=0
write_if_changed "$nats_conf" "# Written by infra/setup.sh; regenerated on every run. Holds passwords: mode 0600.
listen: 127.0.0.1:$NATS_PORT
pid_file: \"$DATA_DIR/nats/nats-server.pid\"
jetstream { store_dir: \"$DATA_DIR/nats\" }
# One (global) account, so every service sees the one stream; no user = no connection.
authorization {
  users = [
$nats_users
  ]
}" && nats_changed=1
nats_bin=$(command -v nats-server || echo /usr/sbin/nats-server)
if nats_up && ! nats_requires_auth; then
  log "nats-server on port $NATS_PORT runs without authentication: restarting it with one user per service (JetStream data stays in $DATA_DIR/nats)"
  nats_pid=$(pid_on_port "$NATS_PORT")
  [ -n "$nats_pid" ] || { echo "cannot find the process listening on port $NATS_PORT" >&2; exit 1; }
  kill -TERM "$nats_pid"
  wait_gone "$nats_pid" || { echo "nats-server (pid $nats_pid) did not stop" >&2; exit 1; }
elif nats_up && [ "$nats_changed" = 1 ]; then
  log "reloading nats-server's users"
  kill -HUP "$(pid_on_port "$NATS_PORT")"
fi
if ! nats_up; then
  log "starting nats-server on 127.0.0.1:$NATS_PORT (JetStream in $DATA_DIR/nats, one user per service)"
  start-stop-daemon --start --background --pidfile "$DATA_DIR/nats/nats-server.pid" --exec "$nats_bin" -- -c "$nats_conf"
fi
for _ in $(seq 1 50); do nats_up && break; sleep 0.2; done

if [ "${WITH_BROWSER:-0}" = 1 ]; then bash "$(dirname "$0")/install-promtool.sh"; fi

pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
redis_admin ping >/dev/null || { echo "Redis did not start (or refuses the admin user)" >&2; exit 1; }
nats_up && nats_requires_auth || { echo "nats-server did not start with authentication" >&2; exit 1; }
log "PostgreSQL, Redis and NATS JetStream are running on 127.0.0.1 (credentials in $SECRETS_DIR)"
