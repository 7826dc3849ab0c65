"""Attendance at the morning peak and the municipality-wide staffing page.

    .venv/bin/python -m oppvekst.devtools.pgtest -- .venv/bin/python bench/attendance.py
    .venv/bin/python bench/attendance.py --quick            # SQLite, scale 0.2
    .venv/bin/python -m oppvekst.devtools.pgtest -- .venv/bin/python bench/attendance.py --scale 10

Generates the demo (seed 1) into an empty database and forgets the demo's own check-ins for the
day. Then every kindergarten's head gets a bearer token and the morning is replayed through the
real API (`POST /api/v1/attendance/check-in` with an Idempotency-Key, in-process test client:
URL routing, token auth, middleware, policy, audit): CHECKINS children across the municipality
by THREADS concurrent clients, and RETRY_SHARE of the requests sent twice with the same key (a
flaky network). Figures: check-ins per minute achieved, p50/p95/max latency, and after the run
how many check-ins were lost or doubled (both must be 0). Then the caseworker's staffing page
for all kindergartens (`GET /oppmote/bemanning/`) is timed (best of 3, and its query count).
Targets: at least 400 check-ins a minute with p95 under 150 ms on PostgreSQL; the staffing page
under 1 s at scale 10. Prints human lines, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-25"
THREADS = 4
RETRY_SHARE = 0.1


def _setup(scale: float) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oppvekst.settings")
    os.environ.setdefault("OPPVEKST_DEMO", "1")
    os.environ.setdefault("OPPVEKST_TODAY", TODAY)
    os.environ.setdefault("OPPVEKST_ALLOW_SYNTHETIC_IDS", "1")
    if not os.environ.get("DATABASE_URL"):
        os.environ["OPPVEKST_VAR_DIR"] = tempfile.mkdtemp(prefix="oppvekst-bench-")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from oppvekst.core.models import Municipality
    from oppvekst.demo.generator import generate

    call_command("migrate", verbosity=0)
    info: dict[str, Any] = {"generated": False}
    if not Municipality.objects.exists():
        started = time.perf_counter()
        result = generate(seed=1, scale=scale)
        info = {"generated": True, "generate_seconds": round(time.perf_counter() - started, 1)}
        info.update(result)
    return info


def _tokens() -> tuple[dict[int, str], list[tuple[int, int]]]:
    """A token per kindergarten head (unit -> token) and the children to check in."""
    from oppvekst import clock
    from oppvekst.access.models import User
    from oppvekst.access.services import service_token_create
    from oppvekst.attendance.models import Attendance
    from oppvekst.daterange import active_q
    from oppvekst.placements.models import Placement
    from oppvekst.staff.models import Employment, Position

    day = clock.today()
    Attendance.objects.filter(day=day).delete()
    tokens: dict[int, str] = {}
    for employment in Employment.objects.filter(
        active_q(day), position=Position.PRINCIPAL, unit__kind="kindergarten"
    ).select_related("person"):
        user = User.objects.filter(person=employment.person).first()
        if user is None:
            user = User.objects.create(
                username=f"bench-{employment.person_id}", person=employment.person
            )
        _token, plaintext = service_token_create(user=user, name="bench")
        tokens[employment.unit_id] = plaintext  # type: ignore[index]
    children = list(
        Placement.objects.filter(active_q(day), service="kindergarten", unit_id__in=tokens)
        .values_list("child_id", "unit_id")
        .order_by("pk")
    )
    return tokens, children


def _morning(count: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from oppvekst import clock
    from oppvekst.attendance.models import Attendance

    tokens, children = _tokens()
    rng = random.Random(7)
    rng.shuffle(children)
    chosen = children[:count]
    jobs: list[tuple[int, int, str]] = []
    for child_id, unit_id in chosen:
        key = uuid.uuid4().hex
        jobs.append((child_id, unit_id, key))
        if rng.random() < RETRY_SHARE:
            jobs.append((child_id, unit_id, key))  # the same submission again
    rng.shuffle(jobs)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    queue = list(enumerate(jobs))

    def worker() -> None:
        client = Client(HTTP_HOST="localhost")
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    _i, (child_id, unit_id, key) = queue.pop()
                body = json.dumps({"child": child_id, "unit": unit_id})
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/attendance/check-in",
                    body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {tokens[unit_id]}",
                    HTTP_IDEMPOTENCY_KEY=key,
                )
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code not in (200, 201):
                        errors.append(f"{response.status_code} {response.content[:120]!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    day = clock.today()
    checked = set(Attendance.objects.filter(day=day).values_list("child_id", "unit_id"))
    rows = Attendance.objects.filter(day=day).count()
    wanted = {(c, u) for c, u in chosen}
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return {
        "checkins": len(chosen),
        "requests": len(jobs),
        "retries": len(jobs) - len(chosen),
        "threads": THREADS,
        "wall_seconds": round(wall, 2),
        "checkins_per_minute": round(len(chosen) / wall * 60),
        "requests_per_minute": round(len(jobs) / wall * 60),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "lost": len(wanted - checked),
        "doubled": rows - len(checked),
    }


def _staffing_page() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from oppvekst.core.models import Unit
    from oppvekst.demo.models import DemoPersona

    client = Client(HTTP_HOST="localhost")
    client.force_login(DemoPersona.objects.get(slug="caseworker").user)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get("/oppmote/bemanning/")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/oppmote/bemanning/")
    units = response.content.decode().count("/oppmote/bemanning/") - 1
    return {
        "staffing_page_seconds": round(min(times), 3),
        "staffing_page_first_seconds": round(times[0], 3),
        "staffing_page_queries": len(queries.captured_queries),
        "staffing_page_kindergartens": units,
        "kindergartens_in_municipalities": Unit.objects.filter(kind="kindergarten").count(),
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scale 0.2, 200 check-ins")
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--checkins", type=int, default=None)
    args = parser.parse_args(argv)
    scale = args.scale if args.scale is not None else (0.2 if args.quick else 1.0)
    count = args.checkins if args.checkins is not None else (200 if args.quick else 400)
    info = _setup(scale)
    from django.db import connection

    print(f"database: {connection.vendor}, scale {scale}, {info}")
    morning = _morning(count)
    print(
        f"check-in: {morning['checkins']} children ({morning['retries']} retried) by "
        f"{THREADS} clients in {morning['wall_seconds']} s = {morning['checkins_per_minute']}"
        f"/min; p50 {morning['p50_ms']} ms, p95 {morning['p95_ms']} ms, max "
        f"{morning['max_ms']} ms; lost {morning['lost']}, doubled {morning['doubled']}, "
        f"errors {morning['errors']}"
    )
    staffing = _staffing_page()
    print(
        f"staffing page (caseworker, {staffing['staffing_page_kindergartens']} kindergartens): "
        f"{staffing['staffing_page_seconds']} s best of 3, {staffing['staffing_page_queries']} "
        "queries"
    )
    figures = {
        "bench": "attendance",
        "database": connection.vendor,
        "scale": scale,
        **info,
        **morning,
        **staffing,
        "target_checkins_per_minute_met": morning["checkins_per_minute"] >= 400,
        "target_p95_met": morning["p95_ms"] < 150,
        "target_staffing_page_met": staffing["staffing_page_seconds"] < 1.0,
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
