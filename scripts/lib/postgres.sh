#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests (Debian's postgresql package).
#   postgres.sh start [DIR]   initdb + start in DIR (default: a new temp dir); prints the
#                             connection URL on stdout, e.g.
#                             postgres://medrtc@127.0.0.1:41234/medrtc_test
#   postgres.sh stop DIR      stop the cluster and delete DIR
# The cluster listens on 127.0.0.1 at a free TCP port and on a unix socket inside DIR,
# trusts local connections (it holds nothing but test data) and runs with fsync off.
# PostgreSQL refuses to run as root, so as root every server command runs as the
# `postgres` system user that the Debian package creates.
set -euo pipefail

pg_bin="${MEDRTC_PG_BIN:-}"
if [[ -z "$pg_bin" ]]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [[ -z "$pg_bin" || ! -x "$pg_bin/initdb" ]]; then
  echo "postgres.sh: initdb not found (apt-get install postgresql, or set MEDRTC_PG_BIN)" >&2
  exit 1
fi

as_owner() {  # runs a server command as the cluster's owner
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local dir="${1:-}"
  if [[ -z "$dir" ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/medrtc-pg.XXXXXX")
  fi
  mkdir -p "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  as_owner "$pg_bin/initdb" -D "$dir/data" -U medrtc --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

  local port attempt
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
         -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -F -c full_page_writes=off -c max_connections=200" \
         start >/dev/null 2>&1; then
      as_owner "$pg_bin/createdb" -h "$dir" -p "$port" -U medrtc medrtc_test
      echo "$port" >"$dir/port"
      echo "postgres://medrtc@127.0.0.1:$port/medrtc_test"
      [[ -z "${1:-}" ]] && echo "postgres.sh: stop with: $0 stop $dir" >&2
      return 0
    fi
  done
  echo "postgres.sh: the server did not start; see $dir/server.log" >&2
  tail -20 "$dir/server.log" >&2 || true
  exit 1
}

stop() {
  local dir="${1:?usage: postgres.sh stop DIR}"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: postgres.sh start [DIR] | stop DIR" >&2; exit 2 ;;
esac
