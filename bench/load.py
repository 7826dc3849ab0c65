"""The 1 March admission peak: many distinct guardians against the production server.

    .venv/bin/python bench/load.py                       # PostgreSQL cluster of its own, scale 1
    .venv/bin/python bench/load.py --quick               # 10 and 20 users, 15 s each
    .venv/bin/python bench/load.py --users 50,100,200 --duration 60 --workers 4 --threads 4

Runs inside a throwaway PostgreSQL cluster (oppvekst.devtools.pgtest) unless DATABASE_URL is set;
generates the demo municipality (seed 1) unless it is there; gives each of the first N guardians
of the demo a login session and an API token; starts `oppvekst serve` (gunicorn, production
settings, as behind a TLS proxy: X-Forwarded-Proto https); then for each step N distinct
guardians each load the front page, the portal, the fee page and the API list of their children
in turn, with a think time of 1-2 s between requests. Per step it prints requests per second,
p50/p95/p99 latency, errors (any status but 200, or a failed connection) and the CPU used by the
server (gunicorn master and workers), the database (the cluster's processes) and this load
generator, in cores. Ends with one JSON line.

Targets on 2 cores: zero errors at every step, p95 under 300 ms at 50 users, at least 100
requests a second at 200 users. The machine may be shared with other work: say so with figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-25"
PAGES = ("/", "/portal/", "/portal/betaling/", "/api/v1/children")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Guardian:
    session: str
    token: str


@dataclass
class Step:
    users: int
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1


# -- preparing the database (in this process, with Django) -------------------------------------


def prepare(count: int, scale: float) -> list[Guardian]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oppvekst.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from oppvekst.access.models import User
    from oppvekst.access.services import service_token_create
    from oppvekst.core.models import Municipality
    from oppvekst.people.models import Guardianship

    call_command("migrate", verbosity=0)
    if not Municipality.objects.exists():
        started = time.perf_counter()
        call_command("demo", scale=scale, no_progress=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"demo generated in {time.perf_counter() - started:.0f} s", flush=True)
    from oppvekst import clock
    from oppvekst.daterange import active_q

    guardian_ids = list(
        Guardianship.objects.filter(
            active_q(clock.today()), parental_responsibility=True, guardian__user__isnull=True
        )
        .order_by("guardian_id")
        .values_list("guardian_id", flat=True)
        .distinct()[:count]
    )
    out = []
    for person_id in guardian_ids:
        user, _ = User.objects.get_or_create(
            username=f"bench-guardian-{person_id}", defaults={"person_id": person_id}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        _token, plaintext = service_token_create(user=user, name="bench load")
        assert session.session_key is not None
        out.append(Guardian(session=session.session_key, token=plaintext))
    from django.db import connections

    connections.close_all()
    return out


# -- measuring CPU from /proc --------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime: fields 14-17 of stat (here 11-14 after the name)
        total += sum(int(x) for x in fields[11:15])
    return total / TICKS


def _postmaster(port: int) -> int | None:
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and cmd[0].endswith(b"postgres") and f"-p {port}".encode() in b" ".join(cmd):
            return int(entry)
    return None


class Cpu:
    """CPU seconds of a process tree (root and its direct children, re-listed per sample)."""

    def __init__(self, root: int | None) -> None:
        self.root = root

    def sample(self) -> float:
        if self.root is None:
            return 0.0
        return _cpu_seconds([self.root, *_children(self.root)])


# -- the load --------------------------------------------------------------------------------------


def user_loop(
    host: str, port: int, guardian: Guardian, step: Step, stop: float, rng: random.Random
) -> None:
    conn: http.client.HTTPConnection | None = None
    index = rng.randrange(len(PAGES))
    time.sleep(rng.uniform(0, 2.0))  # arrivals spread over the first think time
    while time.monotonic() < stop:
        path = PAGES[index % len(PAGES)]
        index += 1
        headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
        if path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {guardian.token}"
        else:
            headers["Cookie"] = f"sessionid={guardian.session}"
        started = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.monotonic() - started
            if response.status == 200:
                step.ok(elapsed)
            else:
                step.error(f"http {response.status} {path}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as exc:
            step.error(type(exc).__name__)
            if conn is not None:
                conn.close()
            conn = None
        time.sleep(rng.uniform(1.0, 2.0))
    if conn is not None:
        conn.close()


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_step(
    host: str,
    port: int,
    guardians: list[Guardian],
    users: int,
    duration: float,
    server: Cpu,
    database: Cpu,
) -> dict[str, Any]:
    step = Step(users=users)
    rng = random.Random(users)
    stop = time.monotonic() + duration
    before = (server.sample(), database.sample(), _self_cpu(), time.monotonic())
    threads = [
        threading.Thread(
            target=user_loop,
            args=(host, port, guardians[i], step, stop, random.Random(rng.random())),
            daemon=True,
        )
        for i in range(users)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 60)
    after = (server.sample(), database.sample(), _self_cpu(), time.monotonic())
    wall = after[3] - before[3]
    ms = [x * 1000 for x in step.latencies]
    errors = sum(step.errors.values())
    return {
        "users": users,
        "seconds": round(wall, 1),
        "requests": len(ms) + errors,
        "rps": round((len(ms) + errors) / wall, 1),
        "p50_ms": _round(percentile(ms, 50)),
        "p95_ms": _round(percentile(ms, 95)),
        "p99_ms": _round(percentile(ms, 99)),
        "errors": errors,
        "error_kinds": step.errors,
        "cpu_server_cores": round((after[0] - before[0]) / wall, 2),
        "cpu_database_cores": round((after[1] - before[1]) / wall, 2),
        "cpu_loadgen_cores": round((after[2] - before[2]) / wall, 2),
    }


def _self_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not answer /healthz")


def run_inside(args: argparse.Namespace) -> int:
    steps = [int(x) for x in args.users.split(",")]
    os.environ.setdefault("SECRET_KEY", "bench-load-" + "x" * 40)
    os.environ.setdefault("OPPVEKST_TODAY", TODAY)
    # Production settings, but the demo's synthetic identity numbers are allowed.
    os.environ["OPPVEKST_ALLOW_SYNTHETIC_IDS"] = "1"
    os.environ.pop("OPPVEKST_DEMO", None)
    guardians = prepare(max(steps), args.scale)
    if len(guardians) < max(steps):
        print(f"load: only {len(guardians)} guardians in the demo", file=sys.stderr)
        return 2
    port = _free_port()
    env = dict(os.environ, OPPVEKST_BIND=f"127.0.0.1:{port}")
    if args.workers:
        env["OPPVEKST_WORKERS"] = str(args.workers)
    if args.threads:
        env["OPPVEKST_THREADS"] = str(args.threads)
    oppvekst = str(Path(sys.executable).with_name("oppvekst"))
    server = subprocess.Popen([oppvekst, "serve"], env=env, cwd=ROOT)
    results = []
    try:
        _wait_healthy(port, server)
        db_url = urlsplit(os.environ.get("DATABASE_URL", ""))
        postmaster = _postmaster(db_url.port or 5432) if db_url.scheme else None
        server_cpu, database_cpu = Cpu(server.pid), Cpu(postmaster)
        if postmaster is None and db_url.scheme:
            print("load: the database's processes were not found; its CPU reads 0", flush=True)
        # One short warm-up so the figures are of a running server, not of first requests.
        run_step("127.0.0.1", port, guardians, min(10, len(guardians)), 5, server_cpu, database_cpu)
        for users in steps:
            result = run_step(
                "127.0.0.1", port, guardians, users, args.duration, server_cpu, database_cpu
            )
            results.append(result)
            print(
                f"{users:>4} users: {result['rps']:>6.1f} req/s  p50 {result['p50_ms']} ms  "
                f"p95 {result['p95_ms']} ms  p99 {result['p99_ms']} ms  "
                f"errors {result['errors']}  CPU server {result['cpu_server_cores']} "
                f"db {result['cpu_database_cores']} load {result['cpu_loadgen_cores']} cores",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    summary = {
        "bench": "load",
        "scale": args.scale,
        "database": "sqlite" if args.sqlite else "postgresql",
        "cpus": os.cpu_count(),
        "loadavg_before": args.loadavg,
        "workers": args.workers or "default",
        "threads": args.threads or "default",
        "duration_s": args.duration,
        "steps": results,
    }
    print(json.dumps(summary))
    return 0


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", default="50,100,200", help="users per step, comma-separated")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per step")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the server's)")
    parser.add_argument("--threads", type=int, help="threads per worker")
    parser.add_argument("--quick", action="store_true", help="10 and 20 users, 15 s, scale 0.2")
    parser.add_argument(
        "--sqlite",
        metavar="VAR_DIR",
        help="run against the embedded SQLite database in VAR_DIR (generated if empty)",
    )
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--loadavg", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.duration, args.scale = "10,20", 15.0, 0.2
    try:
        if any(int(x) < 1 for x in args.users.split(",")) or args.duration <= 0:
            raise ValueError
    except ValueError:
        print("load: --users takes positive integers, --duration a number > 0", file=sys.stderr)
        return 2
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
        os.environ["OPPVEKST_VAR_DIR"] = args.sqlite
        Path(args.sqlite).mkdir(parents=True, exist_ok=True)
        args.loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
        return run_inside(args)
    if args.inside or os.environ.get("DATABASE_URL"):
        if not args.loadavg:
            args.loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
        return run_inside(args)
    loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    command = [
        sys.executable,
        "-m",
        "oppvekst.devtools.pgtest",
        "--",
        sys.executable,
        str(Path(__file__).resolve()),
        "--inside",
        "--loadavg",
        loadavg,
        *argv,
    ]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
