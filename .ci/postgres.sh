#!/usr/bin/env bash
# A throwaway PostgreSQL for the server's tests and benchmarks.
#   .ci/postgres.sh start [port]   starts one (default: a free port) and prints two lines on stdout:
#                                  its connection string, then its folder (what `stop` takes)
#   .ci/postgres.sh stop <folder>  stops it and removes the folder
# `start` installs the Debian packages when no PostgreSQL is found. PostgreSQL refuses to run as root, so when
# we are root the cluster belongs to the `postgres` user. It listens on 127.0.0.1 only, with trust
# authentication for local connections: a test database, never a real one.
set -euo pipefail
# The postgres user may not be able to enter the caller's folder.
cd /

find_bin() {
    local name=$1
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$found" ] && echo "$found"
}

as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
    as_owner() { runuser -u postgres -- "$@"; }
fi

if [ "${1:-}" = stop ]; then
    folder=${2:?usage: .ci/postgres.sh stop <folder>}
    as_owner "$(find_bin pg_ctl)" -D "$folder/data" -m fast -w stop >&2 || true
    rm -rf "$folder"
    exit 0
fi
[ "${1:-}" = start ] && shift

if [ -z "$(find_bin initdb)" ] || [ -z "$(find_bin pg_ctl)" ]; then
    echo "PostgreSQL not found: installing the Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2 && apt-get install -y postgresql >&2
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)

port=${1:-}
if [ -z "$port" ]; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000)))
fi

dir=$(mktemp -d /tmp/humanloop-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --create-home postgres
    chown postgres "$dir"
fi

as_owner "$INITDB" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
as_owner "$PG_CTL" -D "$dir/data" -l "$dir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=on" start >&2
echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
echo "$dir"
