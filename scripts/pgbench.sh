#!/usr/bin/env bash
# The PostgreSQL ceilings the service figures in docs/BENCHMARKS.md are read
# against, measured on the same machine in the same session: pgbench's
# one-row INSERT (each its own committed transaction) and TPC-B, at the
# concurrency the service benchmarks use. Makes (and drops) its own database.
#
#   scripts/pgbench.sh [CLIENTS] [SECONDS]
set -euo pipefail
clients="${1:-32}"
seconds="${2:-20}"
url="${MEDBILL_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db="medbill_pgbench"
psql -q "$url" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
dburl="${url%/*}/$db"
script="$(mktemp)"
trap 'rm -f "$script"; psql -q "$url" -c "DROP DATABASE IF EXISTS $db"' EXIT
psql -q "$dburl" -c "CREATE TABLE one_row (id bigserial PRIMARY KEY, payload text NOT NULL)"
echo "INSERT INTO one_row (payload) VALUES ('claim');" > "$script"
echo "==> pgbench one-row INSERT, $clients clients, ${seconds} s"
pgbench -n -c "$clients" -j 2 -T "$seconds" -f "$script" "$dburl" | grep -E "^(tps|latency average|number of transactions actually processed)"
echo "==> pgbench TPC-B (scale 10), $clients clients, ${seconds} s"
pgbench -q -i -s 10 "$dburl" > /dev/null 2>&1
pgbench -c "$clients" -j 2 -T "$seconds" "$dburl" | grep -E "^(tps|latency average|number of transactions actually processed)"
