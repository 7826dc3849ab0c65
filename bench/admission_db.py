"""The demo municipality's full main admission from the database: load, solve, write offers.

    .venv/bin/python -m oppvekst.devtools.pgtest -- .venv/bin/python bench/admission_db.py
    .venv/bin/python bench/admission_db.py --quick          # SQLite in a temporary directory

Generates the demo (seed 1, scale 1 unless --scale/--quick) into an empty database, then for
each municipality's open main admission runs the dry run (preview) and the commit (load the
waiting list, solve, write offers, outcomes and notifications), all inside one transaction
that is rolled back, so the run can be repeated. Target: under 10 s on PostgreSQL.
Prints human lines, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-25"


def _setup(scale: float) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oppvekst.settings")
    os.environ.setdefault("OPPVEKST_DEMO", "1")
    os.environ.setdefault("OPPVEKST_TODAY", TODAY)
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


def _run() -> dict[str, Any]:
    from django.db import connection, transaction

    from oppvekst.admission import adapters, services
    from oppvekst.admission.engine import matching
    from oppvekst.admission.models import AdmissionRound, Offer, RoundKind, RoundStatus
    from oppvekst.demo.models import DemoPersona

    by = DemoPersona.objects.get(slug="caseworker").user.person
    assert by is not None
    rounds = list(
        AdmissionRound.objects.filter(kind=RoundKind.MAIN)
        .exclude(status=RoundStatus.COMMITTED)
        .select_related("municipality")
        .order_by("pk")
    )
    per_round: list[dict[str, Any]] = []
    total = time.perf_counter()
    with transaction.atomic():
        for rnd in rounds:
            started = time.perf_counter()
            instance = adapters.load(rnd)
            loaded = time.perf_counter()
            result = matching.solve(instance.units, [a.applicant for a in instance.applicants])
            solved = time.perf_counter()
            services.round_preview(round_id=rnd.pk)
            previewed = time.perf_counter()
            commit = services.round_commit(round_id=rnd.pk, by=by)
            committed = time.perf_counter()
            # The letters: a task in the commit's transaction, run here as the worker would.
            told = services.round_notify(round_id=rnd.pk)
            notified = time.perf_counter()
            offers = Offer.objects.filter(round=rnd).count()
            assert offers == commit.offers
            assert offers == sum(1 for v in result.assignments.values() if v is not None)
            row: dict[str, Any] = {
                "municipality": rnd.municipality.name,
                "applicants": len(instance.applicants),
                "units": len(instance.units),
                "seats": sum(sum(c.values()) for c in instance.capacity.values()),
                "offers": offers,
                "load_seconds": round(loaded - started, 3),
                "solve_seconds": round(solved - loaded, 4),
                "preview_seconds": round(previewed - solved, 3),
                "commit_seconds": round(committed - previewed, 3),
                "families_told": told,
                "notify_seconds": round(notified - committed, 3),
            }
            per_round.append(row)
            print(
                f"{row['municipality']}: {row['applicants']} applicants, {row['units']} units, "
                f"{row['seats']} seats -> {row['offers']} offers; load {row['load_seconds']} s, "
                f"solve {row['solve_seconds']} s, preview {row['preview_seconds']} s, "
                f"commit (load+solve+write) {row['commit_seconds']} s; letters to "
                f"{row['families_told']} families {row['notify_seconds']} s"
            )
        transaction.set_rollback(True)
    seconds = time.perf_counter() - total
    return {
        "database": connection.vendor,
        "rounds": per_round,
        "applicants": sum(r["applicants"] for r in per_round),
        "offers": sum(r["offers"] for r in per_round),
        "commit_seconds": round(sum(r["commit_seconds"] for r in per_round), 3),
        "notify_seconds": round(sum(r["notify_seconds"] for r in per_round), 3),
        "seconds": round(seconds, 3),
        "target_seconds": 10,
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="demo scale (default 1)")
    parser.add_argument("--quick", action="store_true", help="a small demo (scale 0.1)")
    args = parser.parse_args(argv)
    scale = 0.1 if args.quick else args.scale
    info = _setup(scale)
    if info.get("generated"):
        print(f"demo generated at scale {scale} in {info['generate_seconds']} s")
    figures = _run()
    figures.update({"scale": scale, **{k: v for k, v in info.items() if k != "generated"}})
    ok = figures["commit_seconds"] < figures["target_seconds"]
    print(
        f"full main admission ({figures['database']}): {figures['applicants']} applicants, "
        f"{figures['offers']} offers; load + solve + write offers {figures['commit_seconds']} s "
        f"({'within' if ok else 'OVER'} the {figures['target_seconds']} s target); with "
        f"previews and the letters (worker) {figures['seconds']} s"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
