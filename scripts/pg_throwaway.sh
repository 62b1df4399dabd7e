#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store tests, on a unix socket in a temporary folder.
#   scripts/pg_throwaway.sh start DIR   initdb + start; prints the SQLAlchemy URL on stdout
#   scripts/pg_throwaway.sh stop DIR    stop the server and remove DIR
# Uses Debian's postgresql package (initdb/pg_ctl under /usr/lib/postgresql/<version>/bin). As root
# the server runs as the `postgres` user (PostgreSQL refuses to run as root). Nothing listens on TCP.
set -euo pipefail
action="${1:?usage: pg_throwaway.sh start|stop DIR}"
dir="${2:?usage: pg_throwaway.sh start|stop DIR}"
PORT="${PG_TEST_PORT:-54329}"

bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] && [ -x "$found/initdb" ] || { echo "pg_throwaway: initdb not found (apt-get install postgresql)" >&2; exit 3; }
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

BIN=$(bindir)
case "$action" in
  start)
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$dir"
      chmod go+x "$(dirname "$dir")"  # the server user must reach DIR (mktemp -d makes 0700)
    fi
    as_owner "$BIN/initdb" -D "$dir/data" -U planner -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k $dir -p $PORT -c fsync=off -c max_connections=50" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$BIN/createdb" -h "$dir" -p "$PORT" -U planner planner_test
    echo "postgresql+psycopg://planner@/planner_test?host=$dir&port=$PORT"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg_throwaway.sh start|stop DIR" >&2; exit 2 ;;
esac
