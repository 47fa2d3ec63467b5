# Shared set-up for scripts/demo.sh and scripts/test.sh: detect what is there, install and start
# what is missing. Sourced, not run. Every step is idempotent, so a second run is fast.
#
# Uses QUADRILLER_DATABASE_URL / QUADRILLER_REDIS_URL when they are set. Otherwise it runs its own
# PostgreSQL 15 + PostGIS 3 and Redis under a project-local folder (.quadriller/), on ports of their
# own (55432, 56379 by default) so that they never collide with servers already on the machine.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${QUADRILLER_STATE_DIR:-$ROOT/.quadriller}"
PG_PORT="${QUADRILLER_PG_PORT:-55432}"
REDIS_PORT="${QUADRILLER_REDIS_PORT:-56379}"
PG_MAJOR=15
STARTED=()   # what this run started, stopped again on exit

log() { printf '\033[1;34m[quadriller]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[quadriller]\033[0m %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

APT_UPDATED=0
apt_install() {
  is_root || die "missing packages: $*. Install them (apt-get install $*), or run as root, or set QUADRILLER_DATABASE_URL / QUADRILLER_REDIS_URL."
  command -v apt-get >/dev/null || die "missing packages ($*) and no apt-get to install them"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# --- Python -----------------------------------------------------------------------------------
ensure_venv() {
  local py=""
  for cand in python3.13 python3.12 python3.11 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      py="$cand"; break
    fi
  done
  [ -n "$py" ] || die "Python 3.11 or newer is required"
  if [ ! -x "$ROOT/.venv/bin/python" ]; then
    log "creating virtual environment .venv"
    if ! "$py" -m venv "$ROOT/.venv" 2>/dev/null; then
      rm -rf "$ROOT/.venv"
      apt_install python3-venv
      "$py" -m venv "$ROOT/.venv"
    fi
  fi
  # Dependencies come from the lock (exact versions, with hashes: scripts/lock.sh regenerates
  # it), then the package itself without resolving anything more.
  local want; want="$(hash_of "$ROOT/pyproject.toml" "$ROOT/requirements-dev.lock")"
  if [ "$(cat "$ROOT/.venv/.quadriller-deps" 2>/dev/null)" != "$want" ]; then
    log "installing the locked dependencies and the package into .venv"
    mkdir -p "$STATE"
    "$ROOT/.venv/bin/python" -m pip install -q --upgrade pip >"$STATE/pip.log" 2>&1 || true
    "$ROOT/.venv/bin/python" -m pip install -q --require-hashes -r "$ROOT/requirements-dev.lock" >>"$STATE/pip.log" 2>&1 \
      && "$ROOT/.venv/bin/python" -m pip install -q --no-deps -e "$ROOT" >>"$STATE/pip.log" 2>&1 \
      || { tail -30 "$STATE/pip.log" >&2; die "pip install failed (full log: $STATE/pip.log)"; }
    echo "$want" > "$ROOT/.venv/.quadriller-deps"
  fi
  export PATH="$ROOT/.venv/bin:$PATH"
}

# --- PostgreSQL + PostGIS ---------------------------------------------------------------------
pg_bin() { echo "/usr/lib/postgresql/$PG_MAJOR/bin"; }

as_postgres() {
  # PostgreSQL refuses to run as root: run its tools as the `postgres` user when we are root.
  if is_root; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

ensure_postgres() {
  if [ -n "${QUADRILLER_DATABASE_URL:-}" ]; then
    log "using QUADRILLER_DATABASE_URL"
    return
  fi
  local missing=()
  [ -x "$(pg_bin)/postgres" ] || missing+=("postgresql-$PG_MAJOR")
  [ -f "/usr/share/postgresql/$PG_MAJOR/extension/postgis.control" ] || missing+=("postgresql-$PG_MAJOR-postgis-3")
  [ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"

  local dir="$STATE/pg"
  if is_root; then
    mkdir -p "$STATE"
    # The postgres user must reach the data directory; a clone under a private home may not let it.
    if ! su postgres -s /bin/sh -c "test -x '$STATE'" 2>/dev/null; then
      STATE_PG_ROOT="/var/tmp/quadriller-$(echo "$ROOT" | sha256sum | cut -c1-12)"
      dir="$STATE_PG_ROOT/pg"
    fi
  fi
  # Never --auth=trust (any local user would be superuser): a random password (scram) over TCP,
  # which the scripts use, and peer on the local socket. Password files are made with their
  # final mode (umask 077); initdb reads a copy beside the cluster (the postgres user may not
  # reach $STATE), removed at once.
  local pwfile="$STATE/pg-password"
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "initialising a PostgreSQL cluster in $dir"
    mkdir -p "$dir" "$STATE"
    [ -s "$pwfile" ] || (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$pwfile")
    local initdb_pw; initdb_pw="$(dirname "$dir")/.initdb-password"
    (umask 077 && cp "$pwfile" "$initdb_pw")
    is_root && chown -R postgres:postgres "$dir" "$(dirname "$dir")"
    as_postgres "'$(pg_bin)/initdb' -D '$dir' -U postgres --auth-local=peer --auth-host=scram-sha-256 \
      --pwfile='$initdb_pw' -E UTF8 --locale=C.UTF-8 >/dev/null" || { rm -f "$initdb_pw"; die "initdb failed"; }
    rm -f "$initdb_pw"
  fi
  if ! as_postgres "'$(pg_bin)/pg_ctl' -D '$dir' status >/dev/null 2>&1"; then
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_postgres "'$(pg_bin)/pg_ctl' -D '$dir' -w -t 60 -l '$dir/server.log' \
      -o \"-p $PG_PORT -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200\" start >/dev/null" \
      || { tail -20 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
    STARTED+=("pg:$dir")
  fi
  local password=""
  [ -s "$pwfile" ] && password=":$(cat "$pwfile")"  # none: a cluster made before passwords
  export QUADRILLER_DATABASE_URL="postgresql://postgres$password@127.0.0.1:$PG_PORT/quadriller"
  export QUADRILLER_PG_ADMIN_URL="postgresql://postgres$password@127.0.0.1:$PG_PORT/postgres"
  psql -q "$QUADRILLER_PG_ADMIN_URL" -tc "SELECT 1 FROM pg_database WHERE datname='quadriller'" | grep -q 1 \
    || psql -q "$QUADRILLER_PG_ADMIN_URL" -c "CREATE DATABASE quadriller" >/dev/null
}

# --- Redis ------------------------------------------------------------------------------------
ensure_redis() {
  if [ -n "${QUADRILLER_REDIS_URL:-}" ]; then
    log "using QUADRILLER_REDIS_URL"
    return
  fi
  command -v redis-server >/dev/null || apt_install redis-server
  local dir="$STATE/redis"
  mkdir -p "$dir"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir" --save "" --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    STARTED+=("redis:$REDIS_PORT")
  fi
  export QUADRILLER_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

# --- Front end --------------------------------------------------------------------------------
# Vite 6 supports Node 18, which Debian stable ships: so a machine without Node gets it from apt,
# and nothing is downloaded from outside the package registries.
ensure_node() {
  local major=0
  command -v node >/dev/null && major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -lt 18 ] || ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
}

build_web() {
  local want; want="$(cd "$ROOT/web" && find index.html volunteer.html src package.json package-lock.json vite.config.ts tsconfig.json scripts -type f 2>/dev/null | sort | xargs cat | sha256sum | cut -c1-16)"
  if [ -f "$ROOT/web/dist/index.html" ] && [ "$(cat "$ROOT/web/dist/.quadriller-build" 2>/dev/null)" = "$want" ]; then
    return
  fi
  ensure_node
  log "building the web front end (web/dist)"
  (cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run -s build >/dev/null)
  echo "$want" > "$ROOT/web/dist/.quadriller-build"
}

# The front end's unit tests (vitest, web/test/): pure modules, no browser; a few seconds.
test_web() {
  [ -x "$ROOT/web/node_modules/.bin/vitest" ] || (cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  log "front-end unit tests (vitest)"
  (cd "$ROOT/web" && ./node_modules/.bin/vitest run --reporter=dot) || die "front-end unit tests failed"
}

# --- Browser, for the browser tests -----------------------------------------------------------
ensure_chromium() {
  command -v chromium >/dev/null || apt_install chromium
}

# --- Teardown ---------------------------------------------------------------------------------
stop_started() {
  local item
  for item in "${STARTED[@]+"${STARTED[@]}"}"; do
    case "$item" in
      pg:*) as_postgres "'$(pg_bin)/pg_ctl' -D '${item#pg:}' -m fast stop >/dev/null 2>&1" || true ;;
      redis:*) redis-cli -p "${item#redis:}" shutdown nosave >/dev/null 2>&1 || true ;;
    esac
  done
  STARTED=()
}
