#!/usr/bin/env python3
"""Adds lockfile entries for other platforms' optional binaries that npm could not record.

The registry this project installs from answers 404 for some packages' non-Linux builds (Biome,
Rollup, Next's SWC). `npm install` then leaves them out of package-lock.json, and `npm ci`
refuses the lockfile ("Missing: ... from lock file"). Each entry added here carries its
os/cpu/libc, so npm skips it on this platform and never fetches it.

Run after any `npm install` that rewrote package-lock.json:  python3 .ci/lockfile-platforms.py
"""
import json
import sys

OSES = ["android", "darwin", "linux", "win32", "freebsd", "openbsd", "openharmony", "sunos", "netbsd"]
CPUS = ["arm64", "x64", "ia32", "arm", "riscv64", "s390x", "ppc64", "loong64"]

with open("package-lock.json") as f:
    lock = json.load(f)
packages = lock["packages"]
added = []
for path, meta in list(packages.items()):
    for name, version in (meta.get("optionalDependencies") or {}).items():
        if f"node_modules/{name}" in packages:
            continue
        parts = name.split("/")[-1].split("-")
        os_ = next((p for p in parts if p in OSES), None)
        cpu = next((p for p in parts if p in CPUS), None)
        if os_ is None or cpu is None:
            sys.exit(f"{name}: not a platform binary; install it properly instead")
        # Keys in npm's own order, so a later `npm install` leaves these entries as they are.
        entry = {"version": version, "cpu": [cpu], "dev": meta.get("dev", False)}
        if os_ == "linux":
            entry["libc"] = ["musl"] if "musl" in name else ["glibc"]
        entry.update({"optional": True, "os": [os_]})
        packages[f"node_modules/{name}"] = entry
        added.append(name)

# New entries go last: npm ci does not mind the order, and npm's own sort is locale-aware.
with open("package-lock.json", "w") as f:
    json.dump(lock, f, indent=2)
    f.write("\n")
print(f"added {len(added)} entries" + (": " + ", ".join(added) if added else ""))
