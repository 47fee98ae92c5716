"""Checks docker-compose.yml without a Docker engine: it parses as YAML, runs
the three services from one image built from the Dockerfile, gives each its
own PostgreSQL database (three distinct databases, one per service), each
service's command is a real `medbill serve` subcommand, and each peer URL
(`MEDBILL_CODING_URL`, ...) names the peer's service."""
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docker-compose.yml"))
