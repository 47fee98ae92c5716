"""Checks docker-compose.yml without a Docker engine: it parses as YAML, runs
the three services from one image built from the Dockerfile, gives each its
own PostgreSQL database (three distinct databases, one per service), each
service's command is a real `medbill serve` subcommand, and each peer URL
(`MEDBILL_CODING_URL`, ...) names the peer's service.

With a second file (docker-compose.replicas.yml), checks it as an overlay:
each replica (`billing-2`, ...) runs its service's command against that
service's database and folder, and every peer URL list names only
instances of the peer that the two files define, the first one included."""
import sys

import yaml

SERVICES = ("coding", "billing", "payments")


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    services = compose["services"]
    problems = []
    databases = set()
    for name in SERVICES:
        svc = services.get(name)
        if svc is None:
            problems.append(f"service {name} missing")
            continue
        if svc.get("build") != ".":
            problems.append(f"{name} is not built from the Dockerfile")
        if svc.get("command") != ["serve", name]:
            problems.append(f"{name} command is {svc.get('command')}, want ['serve', '{name}']")
        url = svc["environment"].get("MEDBILL_DATABASE_URL", "")
        host_db = url.rsplit("@", 1)[-1]
        host, db = host_db.split("/", 1)
        host = host.split(":")[0]
        if host not in services or "postgres" not in services[host].get("image", ""):
            problems.append(f"{name} database host {host} is not a PostgreSQL service")
        elif services[host]["environment"].get("POSTGRES_DB") != db:
            problems.append(f"{name} uses database {db} which {host} does not create")
        databases.add((host, db))
        # Peer URLs (MEDBILL_CODING_URL, ...) must name a service of this file
        # by the peer's own name.
        for key, value in svc["environment"].items():
            if key.endswith("_URL") and key != "MEDBILL_DATABASE_URL":
                peer = key.removeprefix("MEDBILL_").removesuffix("_URL").lower()
                if peer not in SERVICES or value != f"http://{peer}:50051":
                    problems.append(f"{name}: {key}={value} does not name the {peer} service")
        if "MEDBILL_AUTH__JWT_SECRET" not in svc["environment"]:
            problems.append(f"{name} has no token secret")
    if len(databases) != 3:
        problems.append(f"expected three separate databases, found {sorted(databases)}")
    for p in problems:
        print(f"docker-compose.yml: {p}")
    if not problems:
        print(f"docker-compose.yml: ok (3 services, databases {sorted(databases)})")
    return 1 if problems else 0


def check_replicas(base_path: str, path: str) -> int:
    with open(base_path, encoding="utf-8") as f:
        base = yaml.safe_load(f)["services"]
    with open(path, encoding="utf-8") as f:
        overlay = yaml.safe_load(f)["services"]
    problems = []
    merged = {}
    for name in set(base) | set(overlay):
        svc = dict(base.get(name, {}))
        env = dict(svc.get("environment", {}))
        env.update(overlay.get(name, {}).get("environment", {}))
        svc.update({k: v for k, v in overlay.get(name, {}).items() if k != "environment"})
        svc["environment"] = env
        merged[name] = svc
    replicas = [n for n in overlay if n not in base]
    for name in replicas:
        service = name.rsplit("-", 1)[0]
        if service not in SERVICES:
            problems.append(f"{name} is not a replica of {SERVICES}")
            continue
        svc, first = merged[name], merged[service]
        if svc.get("command") != ["serve", service]:
            problems.append(f"{name} command is {svc.get('command')}")
        for key in ("MEDBILL_DATABASE_URL", "MEDBILL_CLEARINGHOUSE_DIR", "MEDBILL_REMITTANCE_DIR"):
            if svc["environment"].get(key) != first["environment"].get(key):
                problems.append(f"{name}: {key} differs from {service}'s")
        if svc.get("volumes") != first.get("volumes"):
            problems.append(f"{name} does not share {service}'s folder volume")
    for name, svc in merged.items():
        for key, value in svc.get("environment", {}).items():
            if not key.endswith("_URL") or key == "MEDBILL_DATABASE_URL":
                continue
            peer = key.removeprefix("MEDBILL_").removesuffix("_URL").lower()
            urls = value.split(",")
            if urls[0] != f"http://{peer}:50051":
                problems.append(f"{name}: {key} does not start with the {peer} service")
            for url in urls:
                host = url.removeprefix("http://").split(":")[0]
                if host not in merged or host.rsplit("-", 1)[0] not in (peer, host) \
                        or merged[host].get("command") != ["serve", peer]:
                    problems.append(f"{name}: {key} names {host}, not an instance of {peer}")
    for p in problems:
        print(f"{path}: {p}")
    if not problems:
        print(f"{path}: ok (replicas {sorted(replicas)})")
    return 1 if problems else 0


if __name__ == "__main__":
    base_file = sys.argv[1] if len(sys.argv) > 1 else "docker-compose.yml"
    status = main(base_file)
    if len(sys.argv) > 2:
        status |= check_replicas(base_file, sys.argv[2])
    sys.exit(status)
