#!/usr/bin/env bash
# The pyx12 oracle: generates 837P, 837I, 999, 277CA and 835 files with
# medbill-x12 and validates them with pyx12, an independent HIPAA X12
# validator, installed from PyPI into a throwaway virtualenv. Exits non-zero
# on any pyx12 error.
#
# Not covered: the 270/271 (pyx12 4.0.0 has no 005010X279A1 map) and the
# 276/277 claim status pair (no 276 5010 map at all; its 277.5010.X212.xml
# is not in maps.xml, and forced in it rejects GS01 HN and the 2000A HL).
#
# A deliberately broken copy (wrong SE count) must fail too, so a silent
# oracle cannot pass by accident.
#
# Environment:
#   X12_ORACLE_VENV   virtualenv path (default: <repo>/.venv/x12-oracle)
#   PYTHON            interpreter used to create it (default: python3)
set -euo pipefail

PYX12_VERSION="4.0.0"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${X12_ORACLE_VENV:-$repo_root/.venv/x12-oracle}"
python="${PYTHON:-python3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "==> x12 oracle: pyx12 $PYX12_VERSION in $venv"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pyx12==$PYX12_VERSION"

echo "==> cargo run -p medbill-x12 --example write_samples -- $out"
(cd "$repo_root" && cargo run --quiet -p medbill-x12 --example write_samples -- "$out")

shopt -s nullglob
samples=("$out"/*.x12)
if [ "${#samples[@]}" -eq 0 ]; then
    echo "FAILED: the sample writer produced no files" >&2
    exit 1
fi

echo "==> pyx12 on ${#samples[@]} generated file(s)"
if ! "$venv/bin/python" "$repo_root/scripts/x12_oracle.py" "${samples[@]}"; then
    echo "FAILED: pyx12 reported errors in generated X12" >&2
    exit 1
fi

# The hand-made 999 and 277CA fixtures the typed readers are tested on
# must be real 5010 layouts too (pyx12 4.0.0 has no 005010X279A1 map, so
# the 270/271 are not checked here).
# (claim_ack*.277 only: the claim_status.277 fixture is an X212 status
# response, for which pyx12 has no usable map.)
fixtures=("$repo_root"/shared/x12/tests/fixtures/*.999 "$repo_root"/shared/x12/tests/fixtures/claim_ack*.277)
echo "==> pyx12 on ${#fixtures[@]} hand-made acknowledgment fixture(s)"
if ! "$venv/bin/python" "$repo_root/scripts/x12_oracle.py" "${fixtures[@]}"; then
    echo "FAILED: pyx12 reported errors in the 999/277CA fixtures" >&2
    exit 1
fi

echo "==> control: pyx12 must reject a copy with a wrong SE count"
broken="$out/broken.control"
sed '0,/^SE\*\([0-9]*\)\*/s//SE*9999*/' "${samples[0]}" > "$broken"
if "$venv/bin/python" "$repo_root/scripts/x12_oracle.py" "$broken" > "$out/control.log"; then
    cat "$out/control.log"
    echo "FAILED: pyx12 accepted a broken file; the oracle proves nothing" >&2
    exit 1
fi
echo "    rejected as expected"

echo "==> control: pyx12 must reject an 835 with an unknown claim status (CLP02)"
broken_835="$out/broken-835.control"
sed 's/^CLP\*\([^*]*\)\*[0-9]*\*/CLP*\1*99*/' "$out/sample-835.x12" > "$broken_835"
if "$venv/bin/python" "$repo_root/scripts/x12_oracle.py" "$broken_835" > "$out/control-835.log"; then
    cat "$out/control-835.log"
    echo "FAILED: pyx12 accepted an 835 with CLP02 99; the oracle proves nothing" >&2
    exit 1
fi
echo "    rejected as expected"

echo "==> x12 oracle: OK (${#samples[@]} generated + ${#fixtures[@]} fixture file(s), zero pyx12 errors)"
