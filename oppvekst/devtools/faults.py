"""Fault-injection harness: a demo database, real worker processes, and jobs killed mid-way.

Shared by the PostgreSQL kill tests (tests/jobs/test_kill_worker.py) and bench/faults.py. A
scenario starts a long job, SIGKILLs the worker that runs it once its lease shows it is
working, starts a fresh worker and waits until the job is finished; then it checks, in the
database and in the delivered mail, that the job's work exists exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OPPVEKST = str(Path(sys.executable).with_name("oppvekst"))
TODAY = "2026-11-25"


@dataclass
class Site:
    """One database with the demo municipality, and the environment to reach it."""

    env: dict[str, str]
    url: str
    var: Path

    def shell(self, code: str, *, timeout: float = 300) -> str:
        out = subprocess.run(
            [OPPVEKST, "shell", "-c", code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if out.returncode != 0:
            raise RuntimeError(f"shell failed: {out.stderr[-3000:]}")
        return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=3) as conn:
            return list(conn.execute(query, params).fetchall())

    def start_worker(self, log_name: str = "worker.log") -> subprocess.Popen[bytes]:
        log = (self.var / log_name).open("ab")
        return subprocess.Popen(
            [OPPVEKST, "worker", "--no-startup-delay", "--interval", "0.2"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def mail_ids(self) -> list[str]:
        """The Message-ID of every e-mail delivered (one per delivery, repeats included)."""
        ids: list[str] = []
        folder = self.var / "mail"
        if not folder.exists():
            return ids
        for path in folder.iterdir():
            for line in path.read_text(errors="replace").splitlines():
                if line.lower().startswith("message-id:"):
                    ids.append(line.split(":", 1)[1].strip())
        return ids


def make_site(base_url: str, *, scale: str = "0.05", stale_seconds: float = 4.0) -> Site:
    """A fresh database in the cluster of `base_url` (PostgreSQL), migrated, with the demo."""
    import psycopg

    name = f"faults_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base_url.rsplit("/", 1)[0] + "/" + name
    var = Path(tempfile.mkdtemp(prefix="oppvekst-faults-"))
    env = {
        **os.environ,
        "OPPVEKST_DEMO": "1",
        "OPPVEKST_ALLOW_SYNTHETIC_IDS": "1",
        "OPPVEKST_VAR_DIR": str(var),
        "OPPVEKST_TODAY": TODAY,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "oppvekst.settings",
        "OPPVEKST_JOB_STALE_SECONDS": str(stale_seconds),
        # A job rests a moment at each checkpoint, so a kill lands in the middle of it however
        # fast the machine is (the harness kills on the first checkpoint it sees).
        "OPPVEKST_JOB_CHECKPOINT_PAUSE": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(var / "mail"),
    }
    for key in ("OPPVEKST_TESTING", "OPPVEKST_TASKS_IMMEDIATE", "PYTEST_XDIST_WORKER"):
        env.pop(key, None)
    subprocess.run([OPPVEKST, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [OPPVEKST, "demo", "--seed", "7", "--scale", scale, "--no-progress"],
        env={**env, "OPPVEKST_TASKS_IMMEDIATE": "1"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return Site(env=env, url=url, var=var)


def wait_for(check: Callable[[], bool], timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:  # noqa: BLE001 - the database may be restarting
            pass
        time.sleep(every)
    return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- the three long jobs ----------------------------------------------------------------------

START_INVOICE_RUN = """
import datetime as dt
from django.db.models import Count
from oppvekst.billing.models import InvoiceRun
from oppvekst.billing.services import invoice_run_start
from oppvekst.core.models import Municipality
m = (Municipality.objects.annotate(n=Count("units__placements")).order_by("-n", "pk").first())
last = InvoiceRun.objects.filter(municipality=m).order_by("-month").first()
month = dt.date(2026, 10, 1)
if last is not None:
    month = dt.date(last.month.year + last.month.month // 12, last.month.month % 12 + 1, 1)
print(invoice_run_start(municipality=m, month=month, started_by=None).pk)
"""

CHECK_INVOICE_RUN = """
import json
from django.db.models import Count
from oppvekst.billing.models import InvoiceLine, InvoiceRun
from oppvekst.jobs.models import JobLease
run = InvoiceRun.objects.get(pk={key})
dupes = (InvoiceLine.objects.filter(run=run)
    .values("child_id", "payer_id", "service", "rule_id", "is_food", "period", "source")
    .annotate(n=Count("id")).filter(n__gt=1).count())
lease = JobLease.objects.get(kind="billing.invoice_run", key="{key}")
print(json.dumps({{"status": run.status, "lines": InvoiceLine.objects.filter(run=run).count(),
    "duplicated": dupes, "restarts": lease.restarts, "attempts": lease.attempts}}))
"""

START_LETTERS = """
from oppvekst.admission.models import AdmissionRound, RoundStatus
from oppvekst.admission import services
from oppvekst.people.models import Person
from oppvekst.access.roles import RoleName
rnd = (AdmissionRound.objects.exclude(status=RoundStatus.COMMITTED)
    .order_by("start_date", "pk").first())
services.round_preview(round_id=rnd.pk)
by = Person.objects.filter(user__isnull=False).order_by("pk").first()
services.round_commit(round_id=rnd.pk, by=by, early_reason="Feiltest: brevene sendes nå")
print(rnd.pk)
"""

CHECK_LETTERS = """
import json
from django.db.models import Count
from oppvekst.admission.models import Offer
from oppvekst.jobs.models import JobLease
from oppvekst.outbox.models import OutboxMessage
from oppvekst.workspace.models import Notification
offers = list(Offer.objects.filter(round_id={key}).values_list("pk", flat=True))
keys = [f"admission:offer:{{pk}}:made" for pk in offers]
told = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
dupes = (Notification.objects.filter(dedupe_key__in=keys).values("recipient_id", "dedupe_key")
    .annotate(n=Count("id")).filter(n__gt=1).count())
lease = JobLease.objects.get(kind="admission.round_notify", key="{key}")
mails = OutboxMessage.objects.filter(idempotency_key__startswith="notify:admission:offer:")
print(json.dumps({{"families": len(offers), "families_told": len(told), "duplicated": dupes,
    "restarts": lease.restarts, "attempts": lease.attempts, "status": lease.status,
    "mails_pending": mails.exclude(status="sent").count(), "mails": mails.count()}}))
"""

START_SOLVE = """
from oppvekst import clock
from oppvekst.core.models import SchoolYear, Unit
from oppvekst.timetable.generate import timetable_generate
from oppvekst.timetable.models import Timetable
from oppvekst.timetable.services import solve_job_start
tt = Timetable.objects.filter(lessons__isnull=False).distinct().order_by("pk").first()
if tt is None:
    unit = Unit.objects.filter(kind="school", first_grade=1).order_by("pk").first()
    year = SchoolYear.objects.get(start_year=SchoolYear.start_year_for(clock.today()))
    tt = timetable_generate(unit=unit, school_year=year)
print(solve_job_start(timetable=tt, user=None, time_limit=20, workers=2, optimize=False).pk)
"""

CHECK_SOLVE = """
import json
from oppvekst.jobs.models import JobLease
from oppvekst.timetable.models import SolveJob, TimetableVersion
job = SolveJob.objects.get(pk={key})
versions = TimetableVersion.objects.filter(timetable=job.timetable, created_at__gte=job.created_at)
lease = JobLease.objects.get(kind="timetable.solve", key="{key}")
print(json.dumps({{"status": job.status, "versions": versions.count(),
    "duplicated": max(0, versions.count() - 1), "restarts": lease.restarts,
    "attempts": lease.attempts}}))
"""


@dataclass
class Job:
    name: str
    kind: str
    start: str
    check: str
    done_sql: str  # one row with a true value when the job has finished


JOBS = [
    Job(
        "invoice_run",
        "billing.invoice_run",
        START_INVOICE_RUN,
        CHECK_INVOICE_RUN,
        "select status in ('preview', 'failed') from billing_invoicerun where id = %s",
    ),
    Job(
        "admission_letters",
        "admission.round_notify",
        START_LETTERS,
        CHECK_LETTERS,
        "select status = 'done' from jobs_joblease where kind = 'admission.round_notify' "
        "and key = %s::text",
    ),
    Job(
        "timetable_solve",
        "timetable.solve",
        START_SOLVE,
        CHECK_SOLVE,
        "select status not in ('queued', 'running') from timetable_solvejob where id = %s",
    ),
]


def kill_mid_job(site: Site, job: Job, *, timeout: float = 180) -> dict[str, Any]:
    """Start `job`, SIGKILL its worker while it holds the lease, recover, check exactly once."""
    worker = site.start_worker(f"worker-{job.name}-1.log")
    try:
        key = site.shell(job.start)
        running = wait_for(
            lambda: bool(
                site.sql(
                    "select 1 from jobs_joblease where kind = %s and key = %s::text "
                    "and status = 'running'",
                    job.kind,
                    key,
                )
            ),
            timeout=timeout,
            every=0.01,
        )
        finished_before_kill = bool(site.sql(job.done_sql, int(key))[0][0])
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        killed_at = time.monotonic()
    finally:
        stop(worker)
    second = site.start_worker(f"worker-{job.name}-2.log")
    try:
        done = wait_for(lambda: bool(site.sql(job.done_sql, int(key))[0][0]), timeout=timeout)
        recovered = time.monotonic() - killed_at
        # Let the outbox deliver what the job wrote before looking.
        time.sleep(1.0)
    finally:
        stop(second)
    result: dict[str, Any] = json.loads(site.shell(job.check.format(key=key)))
    ids = site.mail_ids()
    result.update(
        mail_delivered=len(ids),
        mail_repeats=len(ids) - len(set(ids)),
        job=job.name,
        key=key,
        killed_while_running=running and not finished_before_kill,
        finished=done,
        recovered_seconds=round(recovered, 1),
    )
    return result
