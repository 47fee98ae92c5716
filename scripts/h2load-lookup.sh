#!/usr/bin/env bash
# GetCode and SearchCodes against grpc.health.v1.Health/Check of the same
# coding server with h2load (docs/BENCHMARKS.md, "Code lookups (in-memory
# index)"), and the latency of the first lookups after a start.
#
#   scripts/h2load-lookup.sh [bench|first-call] [HOST:PORT]
#
#   bench       (default) RUNS rounds of health, GetCode of each code in
#               CODES, SearchCodes, one after another, N requests each over
#               C connections x M streams; prints h2load's req/s and the
#               ratios to health.
#   first-call  one GetCode and one SearchCodes, timed by curl: run it right
#               after the server starts.
#
# The GetCode answer grows with the code's tabular notes (its own and its
# ancestors'): of the 74,719 billable ICD-10-CM codes the median has 8, the
# 75th percentile 17, the 95th 32. CODES defaults to one of each: M54.16
# (10 notes, 0.7 KB answer), E11.9 (17, 0.9 KB), S52.521A (32, 2.4 KB).
#
# HOST:PORT defaults to 127.0.0.1:50051 (coding under `medbill up`, with the
# public code sets loaded). Environment: TOKEN (a coder's bearer token;
# default `target/release/medbill token --role coder` with the dev secret in
# DATA_DIR, default ./medbill-data as for `medbill up`), CODES (ICD-10-CM
# codes, default "M5416 E119 S52521A"; HCPCS:J1100 names a HCPCS code), N (default 100000), C (4), M (16),
# RUNS (3), OUT (body files, default target/h2load-lookup), SERVER_PID (the
# server's process id: also print its CPU time per call, user + system,
# which other work on a shared machine disturbs less than req/s).
# Needs h2load (Debian package nghttp2-client), curl and python3 (writes the
# protobuf bodies; no protoc, no packages).
set -euo pipefail

mode=${1:-bench}
addr=${2:-127.0.0.1:50051}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/target/h2load-lookup}
N=${N:-100000}
C=${C:-4}
M=${M:-16}
RUNS=${RUNS:-3}
CODES=${CODES:-M5416 E119 S52521A}
TOKEN=${TOKEN:-$("$root/target/release/medbill" token --role coder --data-dir "${DATA_DIR:-./medbill-data}")}

mkdir -p "$out"

# The bodies: a 5-byte gRPC prefix (not compressed, big-endian length) and
# the protobuf message, written field by field.
python3 - "$out" $CODES <<'PY'
import struct, sys

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def field_varint(number, value):
    return varint(number << 3) + varint(value)

def field_bytes(number, value):
    return varint(number << 3 | 2) + varint(len(value)) + value

def date(year, month, day):
    return field_varint(1, year) + field_varint(2, month) + field_varint(3, day)

def grpc(message):
    return b"\x00" + struct.pack(">I", len(message)) + message

SYSTEMS = {"ICD10CM": 1, "HCPCS": 4}
bodies = {}
for code in sys.argv[2:]:
    # ICD-10-CM unless named: HCPCS:J1100.
    system, _, bare = code.rpartition(":")
    # GetCodeRequest { system, code, date_of_service }
    bodies[f"get_code_{code}.bin"] = (
        field_varint(1, SYSTEMS[system or "ICD10CM"])
        + field_bytes(2, bare.encode())
        + field_bytes(3, date(2026, 6, 1))
    )
bodies |= {
    # SearchCodesRequest { query, system, date_of_service, limit }
    "search_codes.bin": field_bytes(1, b"torus radius")
    + field_varint(2, SYSTEMS["ICD10CM"])
    + field_bytes(3, date(2026, 6, 1))
    + field_varint(4, 20),
    # HealthCheckRequest { service: "" }
    "health.bin": b"",
}
for name, message in bodies.items():
    with open(f"{sys.argv[1]}/{name}", "wb") as f:
        f.write(grpc(message))
PY

health=grpc.health.v1.Health/Check
get_code=medbill.coding.v1.CodeSetService/GetCode
search_codes=medbill.coding.v1.CodeSetService/SearchCodes

# One call with curl: prints seconds taken; fails unless grpc-status is 0
# (h2load counts HTTP 200, and a gRPC error is an HTTP 200 too).
call() {
    local path=$1 body=$2 headers
    headers=$(mktemp)
    local seconds
    seconds=$(curl -sS --http2-prior-knowledge -X POST \
        -H 'content-type: application/grpc' -H 'te: trailers' \
        -H "authorization: Bearer $TOKEN" \
        --data-binary "@$out/$body" -D "$headers" -o "$out/${body%.bin}.response" \
        -w '%{time_total}' "http://$addr/$path")
    if ! grep -qi '^grpc-status: *0' "$headers"; then
        echo "$path did not answer OK:" >&2
        cat "$headers" >&2
        rm -f "$headers"
        return 1
    fi
    rm -f "$headers"
    echo "$seconds"
}

# The server's CPU ticks so far (user + system), 0 without SERVER_PID.
ticks() {
    if [ -n "${SERVER_PID:-}" ]; then
        awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"
    else
        echo 0
    fi
}

# h2load's requests per second for one path; with SERVER_PID, also the
# server's CPU microseconds per call ("req/s cpu_us").
load() {
    local path=$1 body=$2 before rate after
    before=$(ticks)
    rate=$(load_only "$path" "$body")
    after=$(ticks)
    awk -v r="$rate" -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="$N" \
        'BEGIN { printf "%s %.1f\n", r, t * 1e6 / hz / n }'
}

load_only() {
    local path=$1 body=$2
    h2load -c"$C" -m"$M" -n"$N" \
        -H 'content-type: application/grpc' -H 'te: trailers' \
        -H "authorization: Bearer $TOKEN" \
        -d "$out/$body" "http://$addr/$path" |
        awk '/^finished in/ { gsub(",", "", $4); print $4 }
             /^requests:/ { if ($10 + 0 != 0 || $12 + 0 != 0) { print "h2load: " $0 > "/dev/stderr"; exit 1 } }'
}

case "$mode" in
first-call)
    first=${CODES%% *}
    echo "first GetCode $first:  $(call "$get_code" "get_code_$first.bin") s"
    echo "first SearchCodes:     $(call "$search_codes" search_codes.bin) s"
    echo "second GetCode $first: $(call "$get_code" "get_code_$first.bin") s"
    ;;
bench)
    call "$health" health.bin >/dev/null
    call "$search_codes" search_codes.bin >/dev/null
    for code in $CODES; do
        call "$get_code" "get_code_$code.bin" >/dev/null
    done
    echo "h2load -c$C -m$M -n$N against $addr, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    # One figure: "req/s (ratio to health)", and the CPU per call with
    # SERVER_PID.
    figure() {
        awk -v m="$1" -v h="$2" 'BEGIN {
            split(m, a, " "); split(h, b, " ")
            printf "%.0f (%.2f)", a[1], a[1] / b[1]
            if (ENVIRON["SERVER_PID"] != "") printf " %.1f us", a[2] }'
    }
    for run in $(seq "$RUNS"); do
        h=$(load "$health" health.bin)
        line=$(figure "$h" "$h")
        line="run $run: health $line"
        for code in $CODES; do
            line+=" | GetCode $code $(figure "$(load "$get_code" "get_code_$code.bin")" "$h")"
        done
        line+=" | SearchCodes $(figure "$(load "$search_codes" search_codes.bin)" "$h")"
        echo "$line"
    done
    echo "(req/s, in brackets the ratio to health Check of the same run; with SERVER_PID the server's CPU per call)"
    ;;
*)
    echo "usage: $0 [bench|first-call] [HOST:PORT]" >&2
    exit 2
    ;;
esac
