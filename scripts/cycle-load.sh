#!/usr/bin/env bash
# The cycle load on a fresh stack of three `medbill serve` processes, each
# with its own database: SQLite files, or three new PostgreSQL databases.
#
#   [MEDBILL_SCENARIO=cycle|claims|remit] scripts/cycle-load.sh sqlite|postgres [medbill load flags...]
#
# e.g. scripts/cycle-load.sh postgres --concurrency 32 --duration 20
#      MEDBILL_SCENARIO=remit scripts/cycle-load.sh postgres --concurrency 2
#
# Uses target/release/medbill (cargo build --release first). PostgreSQL:
# MEDBILL_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres)
# must be allowed to create databases; the three are dropped at the end.
set -euo pipefail
backend="${1:?sqlite or postgres}"
shift
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${MEDBILL_BIN:-$repo_root/target/release/medbill}"
[ -x "$bin" ] || { echo "no $bin: cargo build --release first" >&2; exit 1; }
work="$(mktemp -d /tmp/medbill-cycle.XXXXXX)"
admin="${MEDBILL_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
suffix="$$"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "$backend" = postgres ]; then
        for svc in coding billing payments; do
            psql "$admin" -qc "DROP DATABASE IF EXISTS medbill_cycle_${svc}_${suffix} WITH (FORCE)" || true
        done
    fi
}
trap cleanup EXIT

url() {
    if [ "$backend" = postgres ]; then
        echo "${admin%/*}/medbill_cycle_${1}_${suffix}"
    else
        echo "sqlite://$work/$1.db"
    fi
}
if [ "$backend" = postgres ]; then
    for svc in coding billing payments; do
        psql "$admin" -qc "CREATE DATABASE medbill_cycle_${svc}_${suffix}"
    done
fi
python3 -c 'import secrets; print(secrets.token_hex(32))' > "$work/dev-jwt-secret"
"$bin" codes import --demo --database-url "$(url coding)"

ports=(50161 50162 50163)
common=(--jwt-secret-file "$work/dev-jwt-secret" --log-format json)
export RUST_LOG=warn
"$bin" serve coding --database-url "$(url coding)" --listen "127.0.0.1:${ports[0]}" \
    "${common[@]}" --billing-url "http://127.0.0.1:${ports[1]}" > "$work/coding.log" 2>&1 &
pids+=($!)
"$bin" serve billing --database-url "$(url billing)" --listen "127.0.0.1:${ports[1]}" \
    "${common[@]}" --coding-url "http://127.0.0.1:${ports[0]}" \
    --payments-url "http://127.0.0.1:${ports[2]}" \
    --clearinghouse-dir "$work/clearinghouse" > "$work/billing.log" 2>&1 &
pids+=($!)
"$bin" serve payments --database-url "$(url payments)" --listen "127.0.0.1:${ports[2]}" \
    "${common[@]}" --billing-url "http://127.0.0.1:${ports[1]}" \
    --remittance-dir "$work/clearinghouse/payments" > "$work/payments.log" 2>&1 &
pids+=($!)
sleep 3

"$bin" load --scenario "${MEDBILL_SCENARIO:-cycle}" --data-dir "$work" \
    --coding "http://127.0.0.1:${ports[0]}" --billing "http://127.0.0.1:${ports[1]}" \
    --payments "http://127.0.0.1:${ports[2]}" "$@"
echo "logs and files: $work"
