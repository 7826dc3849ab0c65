"""Fault injection on PostgreSQL behind the production server (gunicorn, 3 workers).

    .venv/bin/python bench/faults.py [--quick]

1. Submissions (create + submit in one POST) from distinct guardians, many at a time, while
   web workers are SIGKILLed; every client retries with its idempotency key until answered.
2. The same while PostgreSQL restarts (fast, then immediate); a supervised background worker
   runs beside and must survive.
3. A worker SIGKILLed in the middle of an invoice run, the admission letters and a timetable
   solve; a fresh worker must find the dead lease and finish each job exactly once.

Then it checks the database: nothing acknowledged is lost, nothing duplicated, nothing left
half-done (a draft that was asked to be submitted), no job stuck. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oppvekst.devtools import faults  # noqa: E402
from oppvekst.devtools.pgtest import _as_cluster_user, find_bin_dir, free_port  # noqa: E402


class Cluster:
    """A throwaway PostgreSQL cluster this benchmark may restart."""

    def __init__(self) -> None:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) not found")
        self.bin = bin_dir
        self.tmp = Path(tempfile.mkdtemp(prefix="oppvekst-faults-pg-"))
        self.data, sock = self.tmp / "data", self.tmp / "sock"
        sock.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
            shutil.chown(sock, "postgres")
            os.chmod(self.tmp, 0o755)
        self.port = free_port()
        self.log = self.tmp / "server.log"
        subprocess.run(
            _as_cluster_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.options = (
            f"-p {self.port} -k {sock} -c listen_addresses=127.0.0.1 -c max_connections=300"
        )
        self._ctl("start")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, action: str, *extra: str) -> None:
        subprocess.run(
            _as_cluster_user(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-o",
                    self.options,
                    "-w",
                    *extra,
                    action,
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def restart(self, mode: str) -> None:
        self._ctl("restart", "-m", mode)

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_cluster_user(
                    [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(self.tmp, ignore_errors=True)


FAMILIES = """
import datetime as dt, json
from django.db.models import Count
from oppvekst.access.models import User
from oppvekst.access.services import service_token_create
from oppvekst.core.models import Municipality, Unit
from oppvekst.people.identity import make_number
from oppvekst.people.models import Guardianship, Person
m = Municipality.objects.annotate(n=Count("units")).order_by("-n", "pk").first()
units = list(Unit.objects.filter(municipality=m, kind="kindergarten").order_by("pk")
    .values_list("pk", flat=True)[:3])
taken = set(Person.objects.values_list("identity_number", flat=True))
def number(birth):
    for i in range(500, 1000):
        n = make_number(birth, i, synthetic=True)
        if n and n not in taken:
            taken.add(n)
            return n
out = []
for i in range({count}):
    birth = dt.date(2025, 1 + i % 12, 1 + (i // 12) % 28)
    child = Person.objects.create(identity_number=number(birth), first_name=f"Belast{{i}}",
        last_name="{tag}", birth_date=birth, municipality=m)
    gb = dt.date(1990, 1 + i % 12, 1 + (i // 12) % 28)
    parent = Person.objects.create(identity_number=number(gb), first_name=f"Forelder{{i}}",
        last_name="{tag}", birth_date=gb, municipality=m)
    Guardianship.objects.create(child=child, guardian=parent, valid_from=birth,
        parental_responsibility=True)
    user = User.objects.create(username=f"{tag}-{{i}}", person=parent)
    _t, token = service_token_create(user=user, name="faults")
    out.append([token, child.pk])
print(json.dumps({{"units": units, "families": out}}))
"""

OUTCOME = """
import json
from django.db.models import Count
from oppvekst.admission.models import Application
apps = Application.objects.filter(child__last_name="{tag}")
per_child = apps.values("child_id").annotate(n=Count("id"))
print(json.dumps({{
    "submitted": sorted(set(apps.filter(status="submitted").values_list("child_id", flat=True))),
    "drafts": apps.filter(status="draft").count(),
    "duplicated": sum(r["n"] - 1 for r in per_child if r["n"] > 1),
}}))
"""

STUCK = """
import json
from datetime import timedelta
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from oppvekst.billing.models import InvoiceRun
from oppvekst.jobs.models import JobLease
from oppvekst.jobs.services import STALE_AFTER, jobs_reap
from oppvekst.timetable.models import SolveJob
jobs_reap()
stale = timezone.now() - STALE_AFTER * 2
print(json.dumps({
    "leases": JobLease.objects.filter(status__in=["running", "restarted", "queued"],
        heartbeat_at__lt=stale).count(),
    "tasks": DBTaskResult.objects.filter(status="RUNNING", started_at__lt=stale).count(),
    "invoice_runs": InvoiceRun.objects.filter(status__in=["queued", "computing"]).count(),
    "solves": SolveJob.objects.filter(status__in=["queued", "running"]).count(),
}))
"""


def start_server(site: faults.Site, port: int) -> subprocess.Popen[bytes]:
    env = {**site.env, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    log = (site.var / "gunicorn.log").open("ab")
    # The production server (README "Serving in production"): gunicorn, three workers.
    proc = subprocess.Popen(
        [faults.OPPVEKST, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "3"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=str(ROOT),
    )
    ok = faults.wait_for(
        lambda: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200,
        timeout=60,
        every=0.2,
    )
    if not ok:
        raise SystemExit("gunicorn did not start: " + (site.var / "gunicorn.log").read_text())
    return proc


def web_workers(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True)
    return [int(p) for p in out.stdout.split()]


def submit_all(
    url: str, families: list[list[Any]], units: list[int], concurrency: int, deadline: float
) -> dict[str, Any]:
    """Each family submits once; on no answer or a 5xx it retries with the same key."""
    acked: dict[int, int] = {}
    tries = 0
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def one(token: str, child_id: int) -> None:
        nonlocal tries
        key = uuid.uuid4().hex
        body = {
            "child_id": child_id,
            "desired_start": "2027-08-01",
            "place_percent": 100,
            "wishes": units,
            "submit": True,
        }
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        pause = 0.2
        while time.monotonic() < deadline:
            with lock:
                tries += 1
            try:
                r = requests.post(
                    f"{url}/api/v1/applications", json=body, headers=headers, timeout=30
                )
            except requests.RequestException as exc:
                name = type(exc).__name__
            else:
                if r.status_code in (200, 201) and r.json().get("status") == "submitted":
                    with lock:
                        acked[child_id] = r.json()["id"]
                    return
                name = f"http_{r.status_code}"
                if r.headers.get("Content-Type", "").startswith("text/html"):
                    name += "_html"
            with lock:
                errors[name] = errors.get(name, 0) + 1
            time.sleep(pause * (0.5 + random.random()))
            pause = min(2.0, pause * 2)

    with cf.ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda f: one(f[0], f[1]), families))
    return {"acked": acked, "tries": tries, "errors": errors}


def phase(
    site: faults.Site,
    url: str,
    *,
    tag: str,
    count: int,
    concurrency: int,
    disrupt: Any,
    budget: float,
) -> dict[str, Any]:
    made = json.loads(site.shell(FAMILIES.format(count=count, tag=tag), timeout=600))
    deadline = time.monotonic() + budget
    stop = threading.Event()
    disruptor = threading.Thread(target=disrupt, args=(stop,), daemon=True)
    started = time.monotonic()
    disruptor.start()
    result = submit_all(url, made["families"], made["units"], concurrency, deadline)
    seconds = time.monotonic() - started
    stop.set()
    disruptor.join(timeout=120)
    faults.wait_for(lambda: bool(site.sql("select 1")), timeout=60, every=0.5)
    outcome = json.loads(site.shell(OUTCOME.format(tag=tag)))
    submitted = set(outcome["submitted"])
    acked = set(result["acked"])
    return {
        "sent": count,
        "acknowledged": len(acked),
        "lost": len(acked - submitted),
        "duplicated": outcome["duplicated"],
        "left_half_done": outcome["drafts"],
        "tries": result["tries"],
        "errors": result["errors"],
        "seconds": round(seconds, 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller, under five minutes")
    args = parser.parse_args(argv)
    count, concurrency, kills = (60, 30, 4) if args.quick else (300, 150, 10)
    scale = "0.02" if args.quick else "0.05"
    begun = time.monotonic()
    cluster = Cluster()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        # --quick shortens the lease timeout so it stays under five minutes; the full run uses
        # the production setting (30 s: a dead job is found within a minute).
        stale = 5.0 if args.quick else 30.0
        site = faults.make_site(cluster.url, scale=scale, stale_seconds=stale)
        print(f"demo database ready in {time.monotonic() - begun:.0f} s", flush=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = start_server(site, port)
        procs.append(server)
        url = f"http://127.0.0.1:{port}"
        supervisor_log = (site.var / "supervisor.log").open("ab")
        supervisor = subprocess.Popen(
            [faults.OPPVEKST, "worker-supervised", "--no-startup-delay"],
            env=site.env,
            stdout=supervisor_log,
            stderr=subprocess.STDOUT,
        )
        procs.append(supervisor)
        killed: list[int] = []

        def kill_web(stop: threading.Event) -> None:
            for _ in range(kills):
                if stop.wait(1.0):
                    return
                workers = web_workers(server.pid)
                if workers:
                    victim = random.choice(workers)
                    os.kill(victim, signal.SIGKILL)
                    killed.append(victim)

        web = phase(
            site,
            url,
            tag="webkill",
            count=count,
            concurrency=concurrency,
            disrupt=kill_web,
            budget=240,
        )
        web["web_workers_killed"] = len(killed)
        print("web workers killed:", json.dumps(web), flush=True)

        restarts: list[str] = []

        def restart_db(stop: threading.Event) -> None:
            for mode in ("fast", "immediate"):
                if stop.wait(1.0):
                    return
                cluster.restart(mode)
                restarts.append(mode)

        pg = phase(
            site,
            url,
            tag="pgrestart",
            count=count,
            concurrency=concurrency,
            disrupt=restart_db,
            budget=240,
        )
        pg["restarts"] = restarts
        worker_alive = supervisor.poll() is None
        supervisor_log.flush()
        worker_exits = (site.var / "supervisor.log").read_text().count("exited (")
        pg["worker_exits"] = worker_exits
        print("PostgreSQL restarts:", json.dumps(pg), flush=True)
        faults.stop(supervisor)

        jobs = []
        for job in faults.JOBS:
            r = faults.kill_mid_job(site, job)
            print(f"{job.name}:", json.dumps(r), flush=True)
            jobs.append(r)
        stuck = json.loads(site.shell(STUCK))
        print("stuck:", json.dumps(stuck), flush=True)
        jobs_ok = all(
            j["finished"] and j["duplicated"] == 0 and j["mail_repeats"] == 0 for j in jobs
        )
        letters = next(j for j in jobs if j["job"] == "admission_letters")
        figures = {
            "sent": web["sent"] + pg["sent"],
            "acknowledged": web["acknowledged"] + pg["acknowledged"],
            "lost": web["lost"] + pg["lost"],
            "duplicated": web["duplicated"] + pg["duplicated"] + sum(j["duplicated"] for j in jobs),
            "left_half_done": web["left_half_done"]
            + pg["left_half_done"]
            + (letters["families"] - letters["families_told"]),
            "stuck_jobs": sum(stuck.values()) + sum(0 if j["finished"] else 1 for j in jobs),
            "jobs_recovered_seconds": max(j["recovered_seconds"] for j in jobs),
            "jobs_exactly_once": jobs_ok,
            "job_stale_seconds": stale,
            "web_workers_killed": len(killed),
            "postgres_restarts": restarts,
            "worker_survived_postgres_restarts": worker_alive and worker_exits == 0,
            "client_retries": web["tries"] + pg["tries"] - web["sent"] - pg["sent"],
            "html_errors": sum(
                n for p in (web, pg) for k, n in p["errors"].items() if k.endswith("_html")
            ),
            "jobs": {
                j["job"]: {"recovered_seconds": j["recovered_seconds"], "restarts": j["restarts"]}
                for j in jobs
            },
            "quick": args.quick,
            "seconds": round(time.monotonic() - begun, 1),
        }
    finally:
        for proc in procs:
            faults.stop(proc)
        cluster.close()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
