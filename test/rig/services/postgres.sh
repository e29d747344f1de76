# PostgreSQL 15 for the postgres checks (sourced by test/rig/lib.sh; hook contract at its top).
#
# Two clusters made from one cached initdb template, both inside the rig's netns, password (scram)
# auth over TCP, peer auth on the unix socket for the rig's own setup:
#   main  127.0.0.1:5432  (also 127.0.0.2:5432 = example.test) role dendrite + database dendrite created exactly as the deployment guide
#                         does (UTF8, LC_COLLATE/LC_CTYPE 'C', template0) and used by the rig's
#                         Dendrite through global.database; database badlocale (en_US.UTF-8);
#                         role wrongpw (tests log in with a wrong password)
#   low   127.0.0.1:5433  max_connections 20, superuser_reserved_connections 3, role and database
#                         dendrite: too small for Dendrite's default pool of 90
# The password of role dendrite is random per start and written to the service json: it is the rig's
# own test data (tests need it), never something matrix-doctor prints.

PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR=$RUN/postgres
PG_SOCK=$PG_DIR/sock
PG_TEMPLATE=$CACHE/pg15-template-v1
PG_USER=postgres

# Run as the postgres OS user: the server refuses root. setpriv execs (runuser would fork, and the
# recorded PID would be runuser's, not the postmaster's).
pg_as() { setpriv --reuid="$PG_USER" --regid="$PG_USER" --init-groups -- "$@"; }

# psql as the superuser over the unix socket (peer auth); SQL on stdin so no password is on a command line.
pg_psql() { pg_as "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$1" -U postgres -d postgres; }

pg_ensure_user() {
  id -u "$PG_USER" >/dev/null 2>&1 && return 0
  log "creating system user $PG_USER"
  useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home --shell /usr/sbin/nologin "$PG_USER"
}

# initdb once (about 1.5 s) into the cache; every start copies it.
pg_template() {
  [ -s "$PG_TEMPLATE/PG_VERSION" ] && return 0
  local tmp=$PG_DIR/initdb
  rm -rf "$tmp"
  mkdir -p "$tmp"
  chown "$PG_USER:$PG_USER" "$tmp"
  chmod 700 "$tmp"
  log "initdb (cached in $PG_TEMPLATE)"
  pg_as "$PG_BIN/initdb" -D "$tmp" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >"$RUN/logs/postgres-initdb.log" 2>&1 ||
    { log "initdb failed (see $RUN/logs/postgres-initdb.log)"; return 1; }
  mkdir -p "$(dirname "$PG_TEMPLATE")"
  rm -rf "$PG_TEMPLATE.tmp"
  cp -a "$tmp" "$PG_TEMPLATE.tmp" && mv "$PG_TEMPLATE.tmp" "$PG_TEMPLATE" || return 1
  rm -rf "$tmp"
}

# pg_cluster NAME PORT [-c setting=value ...]: copy the template, start the postmaster in the netns.
pg_cluster() {
  local name=$1 port=$2 data=$PG_DIR/$1
  shift 2
  rm -rf "$data"
  cp -a "$PG_TEMPLATE" "$data" && chown -R "$PG_USER:$PG_USER" "$data" && chmod 700 "$data" || return 1
  # initdb's pg_hba.conf admits 127.0.0.1 only; the main cluster also listens on 127.0.0.2 (the
  # address of example.test) so that tests can name the server by a DNS name.
  echo "host    all             all             127.0.0.0/8             scram-sha-256" >>"$data/pg_hba.conf"
  nsenter --net="$NSFILE" -- setpriv --reuid="$PG_USER" --regid="$PG_USER" --init-groups -- \
    "$PG_BIN/postgres" -D "$data" -c port="$port" \
    -c unix_socket_directories="$PG_SOCK" -c logging_collector=off "$@" \
    </dev/null >"$RUN/logs/postgres-$name.log" 2>&1 9>&- &
  echo $! >"$RUN/state/pids/postgres-$name"
}

# pg_wait NAME PORT: until the postmaster (the recorded PID) accepts connections.
pg_wait() {
  local name=$1 port=$2 pid i exe
  pid=$(cat "$RUN/state/pids/postgres-$name")
  for i in $(seq 1 200); do            # up to 10 s
    pid_alive "$pid" || { log "postgres $name (PID $pid) exited during start"; return 1; }
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
    if [ "${exe##*/}" = postgres ] && "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -p "$port" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  log "postgres $name not ready after 10s"
  return 1
}

svc_postgres_start() {
  local pw wrongpw f keep=()
  [ -x "$PG_BIN/postgres" ] || { log "no PostgreSQL 15 server in $PG_BIN (apt-get install postgresql-15)"; return 1; }
  locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$' || { log "locale en_US.UTF-8 missing (test/rig/deps.sh generates it)"; return 1; }
  pg_ensure_user || return 1
  rm -rf "$PG_DIR"
  mkdir -p "$PG_SOCK" && chown "$PG_USER:$PG_USER" "$PG_SOCK" || return 1
  # The server runs as $PG_USER: it must be able to reach its data and socket directories.
  pg_as test -x "$PG_DIR" || { log "user $PG_USER cannot reach $PG_DIR (make its parents world-executable)"; return 1; }
  pg_template || return 1

  pg_cluster main 5432 -c listen_addresses=127.0.0.1,127.0.0.2 || return 1
  pg_cluster low 5433 -c listen_addresses=127.0.0.1 -c max_connections=20 -c superuser_reserved_connections=3 || return 1
  pg_wait main 5432 && pg_wait low 5433 || return 1

  pw=$(openssl rand -hex 16)
  wrongpw=$(openssl rand -hex 16)
  # As the deployment guide does: a role with a password, then the database owned by it.
  pg_psql 5432 <<SQL || return 1
CREATE ROLE dendrite WITH LOGIN PASSWORD '$pw';
CREATE DATABASE dendrite WITH OWNER dendrite ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' template=template0;
CREATE DATABASE badlocale WITH OWNER dendrite ENCODING 'UTF8' LC_COLLATE='en_US.UTF-8' LC_CTYPE='en_US.UTF-8' template=template0;
CREATE ROLE wrongpw WITH LOGIN PASSWORD '$wrongpw';
SQL
  pg_psql 5433 <<SQL || return 1
CREATE ROLE dendrite WITH LOGIN PASSWORD '$pw';
CREATE DATABASE dendrite WITH OWNER dendrite ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' template=template0;
SQL

  # Dendrite on PostgreSQL with one global pool, as the guide configures it: drop the rig's
  # per-component SQLite databases (and any per-component section) so the global one applies.
  for f in "${dendrite_edits[@]}"; do
    [[ $f == str:*.connection_string=file:* ]] || keep+=("$f")
  done
  dendrite_edits=("${keep[@]}")
  for f in federation_api.database key_server.database media_api.database mscs.database relay_api.database \
    room_server.database sync_api.database user_api.account_database; do
    dendrite_edits+=("del:$f")
  done
  dendrite_edits+=(
    "str:global.database.connection_string=postgres://dendrite:$pw@127.0.0.1:5432/dendrite?sslmode=disable"
    "set:global.database.max_open_conns=90"
    "set:global.database.max_idle_conns=5"
    "set:global.database.conn_max_lifetime=-1"
  )

  cat >"$RUN/state/services/postgres.json" <<JSON
{
      "host": "127.0.0.1",
      "port": 5432,
      "port2": 5433,
      "database": "dendrite",
      "user": "dendrite",
      "password": "$pw",
      "dsn": "postgres://dendrite:$pw@127.0.0.1:5432/dendrite?sslmode=disable",
      "badLocaleDsn": "postgres://dendrite:$pw@127.0.0.1:5432/badlocale?sslmode=disable",
      "wrongPasswordDsn": "postgres://wrongpw:not-the-password@127.0.0.1:5432/dendrite?sslmode=disable",
      "lowMaxConnDsn": "postgres://dendrite:$pw@127.0.0.1:5433/dendrite?sslmode=disable",
      "socketDir": "$PG_SOCK",
      "pids": { "main": $(cat "$RUN/state/pids/postgres-main"), "low": $(cat "$RUN/state/pids/postgres-low") }
    }
JSON
}

# After Dendrite answers: it has created its tables and recorded its migrations in PostgreSQL.
svc_postgres_ready() {
  local n
  n=$(pg_as "$PG_BIN/psql" -X -At -h "$PG_SOCK" -p 5432 -U postgres -d dendrite \
    -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'roomserver\_%'" 2>/dev/null || echo 0)
  [ "${n:-0}" -gt 0 ] || { log "Dendrite created no roomserver_ tables in PostgreSQL"; return 1; }
}

svc_postgres_healthy() {
  local name port pid
  for name in main:5432 low:5433; do
    port=${name#*:}
    pid=$(cat "$RUN/state/pids/postgres-${name%%:*}" 2>/dev/null || true)
    [ -n "$pid" ] && pid_ours "$pid" || return 1
    "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -p "$port" 2>/dev/null || return 1
  done
  [ -s "$RUN/state/services/postgres.json" ]
}

# Fast shutdown (SIGINT = pg_ctl stop -m fast): TERM would be a smart shutdown that waits for
# Dendrite's connections to go away.
svc_postgres_stop() {
  local f pid pids=() i left
  for f in "$RUN"/state/pids/postgres-*; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    if pid_ours "$pid"; then pids+=("$pid"); kill -INT "$pid" 2>/dev/null || true; fi
  done
  for i in $(seq 1 100); do            # up to 10 s; stop_recorded TERMs/KILLs what is left
    left=0
    for pid in "${pids[@]}"; do pid_alive "$pid" && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  [ "$left" = 1 ] || rm -rf "$PG_DIR"
  return 0
}
