"""Billing benchmarks.

    .venv/bin/python bench/billing.py            # pure engine, 1,000,000 households
    .venv/bin/python bench/billing.py --quick    # pure engine, 100,000 households
    .venv/bin/python -m oppvekst.devtools.pgtest -- .venv/bin/python bench/billing.py --db
                                                 # monthly run from PostgreSQL, --scale 10

Prints human lines, then ONE JSON line with the figures (CONTRIBUTING.md).

Parts:
  * ``bench_pure``: quote synthetic households for one month with the pure engine
    (``oppvekst.billing.engine.pricing``), no database. Target: above 100,000 households/second.
  * ``bench_db`` (``--db``): the demo municipality at ``--scale`` (10: about 65,000 children in
    kindergarten and SFO) is generated into a fresh database (``DATABASE_URL``, or a temporary
    SQLite file), then the monthly run of November 2026 for each of its municipalities goes from
    the database to locked lines and the ERP files: start, compute (as the background task),
    approve, lock. The generation runs in a subprocess, so the peak memory reported is the
    run's. A second month with retroactive changes measures the correction path.
    Target: the scale-10 run under 30 seconds on PostgreSQL.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from oppvekst.billing.engine.pricing import (
    KINDERGARTEN,
    SFO,
    Child,
    Household,
    YearMonth,
    default_rules,
    quote,
)

FULL_COUNT = 1_000_000
QUICK_COUNT = 100_000
MONTH = YearMonth(2025, 9)
TARGET_PER_SECOND = 100_000


def generate_households(count: int, month: YearMonth, seed: int = 20251) -> list[Household]:
    """Synthetic households: 1-4 children, mixed services, place sizes, zones and incomes."""
    rng = random.Random(seed)
    first = date(month.year - 7, 1, 1)
    birth_dates = [first + timedelta(days=d) for d in range((date(month.year, 1, 1) - first).days)]
    ids = ("a", "b", "c", "d")
    zones = ("standard",) * 15 + ("sentralitet_5_6",) * 4 + ("tiltakssone",)
    households = []
    for _ in range(count):
        size = rng.choices((1, 2, 3, 4), weights=(40, 35, 18, 7))[0]
        children = []
        for position in range(size):
            if rng.random() < 0.6:
                born = rng.choice(birth_dates[-6 * 365 :])  # ages 0-5
                percent = rng.choice((100, 100, 100, 100, 80, 60, 50))
                hours = rng.choice((41, 42, 43, 45, 47)) * percent
                children.append(
                    Child(
                        id=ids[position],
                        birth_date=born,
                        service=KINDERGARTEN,
                        weekly_hours_x100=hours,
                        place_share_bp=percent * 100,
                        food_ore=rng.choice((0, 0, 48900)),
                    )
                )
            else:
                grade = rng.choice((1, 1, 2, 2, 3, 3, 4, 4, 5)) if rng.random() < 0.97 else 7
                born = date(month.year - 6 - grade + (month.month < 8), rng.randint(1, 12), 1)
                children.append(
                    Child(
                        id=ids[position],
                        birth_date=born,
                        service=SFO,
                        weekly_hours_x100=rng.choice((8, 12, 15, 20, 22, 25)) * 100,
                        grade=grade,
                        list_price_ore=rng.choice((150000, 220000, 320000, 350000)),
                    )
                )
        income = int(rng.lognormvariate(13.3, 0.55)) * 100 if rng.random() < 0.9 else None
        granted = income is not None and income < 70_000_000 and rng.random() < 0.6
        households.append(
            Household(
                zone=rng.choice(zones),
                children=tuple(children),
                income_ore=income,
                reduced_fee_granted=granted,
                free_core_hours_granted=granted,
            )
        )
    return households


def bench_pure(count: int) -> dict[str, Any]:
    """Quote ``count`` households for one month with the pure engine."""
    started = time.perf_counter()
    households = generate_households(count, MONTH)
    generated = time.perf_counter() - started
    children = sum(len(h.children) for h in households)
    print(f"generated {count:,} households ({children:,} children) in {generated:.1f} s")

    rules = default_rules()
    for household in households[:1000]:  # warm the month-rule cache and the interpreter
        quote(household, MONTH, rules)
    gc.collect()
    started = time.perf_counter()
    total = lines = 0
    for household in households:
        result = quote(household, MONTH, rules)
        total += result.total_ore
        for child in result.children:
            lines += len(child.lines)
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    print(f"quoted {count:,} households for {MONTH} in {elapsed:.2f} s: {rate:,.0f} households/s")
    print(f"lines: {lines:,}; total parent fees: {total / 100:,.2f} NOK")
    return {
        "pure_households": count,
        "pure_children": children,
        "pure_lines": lines,
        "pure_seconds": round(elapsed, 3),
        "pure_households_per_second": round(rate),
        "pure_target_households_per_second": TARGET_PER_SECOND,
        "pure_meets_target": rate > TARGET_PER_SECOND,
        "pure_total_nok": f"{total / 100:.2f}",
        "generate_seconds": round(generated, 2),
    }


PARTS: dict[str, Callable[[int], dict[str, Any]]] = {"pure": bench_pure}
DB_TARGET_SECONDS = 30
DB_TODAY = "2026-11-25"


def _django_env(tmp: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oppvekst.settings",
        "OPPVEKST_DEMO": "1",
        "OPPVEKST_ALLOW_SYNTHETIC_IDS": "1",
        "OPPVEKST_TODAY": DB_TODAY,
        "OPPVEKST_VAR_DIR": str(tmp),
        "OPPVEKST_TASKS_IMMEDIATE": "1",
    }
    env.pop("OPPVEKST_TESTING", None)
    return env


def bench_db(scale: float) -> dict[str, Any]:
    """The monthly run of the demo municipality from the database to locked lines and files."""
    tmp = Path(tempfile.mkdtemp(prefix="oppvekst-bench-billing-"))
    env = _django_env(tmp)
    oppvekst = str(Path(sys.executable).with_name("oppvekst"))
    database = env.get("DATABASE_URL", "").split("@")[-1] or f"sqlite in {tmp}"
    print(f"database: {database}")
    started = time.perf_counter()
    subprocess.run([oppvekst, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [oppvekst, "demo", "--seed", "7", "--scale", str(scale), "--no-progress"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    generated = time.perf_counter() - started
    print(f"generated the demo municipality at scale {scale} in {generated:.1f} s")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from oppvekst import clock
    from oppvekst.billing import services
    from oppvekst.billing.models import ErpExport, InvoiceRun
    from oppvekst.core.models import Municipality
    from oppvekst.daterange import DateRange
    from oppvekst.placements.models import Placement

    november, december = date(2026, 11, 1), date(2026, 12, 1)
    children = (
        Placement.objects.overlapping(DateRange(november, date(2026, 11, 30)))
        .filter(service__in=["kindergarten", "sfo"])
        .values("child_id")
        .distinct()
        .count()
    )
    print(f"children in kindergarten and SFO in November 2026: {children:,}")
    figures: dict[str, Any] = {
        "db_vendor": connection.vendor,
        "db_scale": scale,
        "db_children": children,
        "db_generate_seconds": round(generated, 1),
        "db_month": "2026-11",
    }

    def run_month(month: date) -> dict[str, float]:
        timings = {"compute": 0.0, "lock": 0.0, "total": 0.0}
        for municipality in Municipality.objects.order_by("pk"):
            t0 = time.perf_counter()
            run = services.invoice_run_start(
                municipality=municipality, month=month, started_by=None
            )
            services.invoice_run_compute(run_id=run.pk)
            run.refresh_from_db()
            assert run.status == "preview", run.error
            t1 = time.perf_counter()
            run = services.invoice_run_approve(run=run, by=None, expected_version=run.version)
            run = services.invoice_run_lock(run=run, by=None, expected_version=run.version)
            t2 = time.perf_counter()
            timings["compute"] += t1 - t0
            timings["lock"] += t2 - t1
            timings["total"] += t2 - t0
            print(
                f"  {municipality.name}: {run.child_count:,} children, {run.line_count:,} lines,"
                f" {run.invoice_count:,} invoices, {run.total_ore / 100:,.2f} NOK;"
                f" compute {t1 - t0:.1f} s, approve+lock+ERP {t2 - t1:.1f} s"
            )
        return timings

    with clock.frozen(date(2026, 11, 25)):
        print("run November 2026:")
        first = run_month(november)
    runs = InvoiceRun.objects.filter(month=november)
    exports = ErpExport.objects.filter(run__in=runs)
    figures.update(
        {
            "db_seconds": round(first["total"], 2),
            "db_compute_seconds": round(first["compute"], 2),
            "db_lock_and_erp_seconds": round(first["lock"], 2),
            "db_lines": sum(r.line_count for r in runs),
            "db_invoices": sum(r.invoice_count for r in runs),
            "db_erp_lines": sum(e.line_count for e in exports),
            "db_erp_control_total_nok": f"{sum(e.control_total_ore for e in exports) / 100:.2f}",
            "db_peak_rss_mb_after_first_run": peak_rss_mb(),
        }
    )
    # A month later, with changes reaching back into the locked November: 1 % of the places
    # ended on 31 October (registered late). The next run finds them by fingerprint and
    # writes correction lines.
    ended = list(
        Placement.objects.filter(service__in=["kindergarten", "sfo"], valid_from__lt=november)
        .order_by("pk")
        .values_list("pk", flat=True)[::100]
    )
    Placement.objects.filter(pk__in=ended).update(valid_to=date(2026, 10, 31))
    with clock.frozen(date(2026, 12, 20)):
        print(f"run December 2026 after {len(ended):,} places ended retroactively:")
        second = run_month(december)
    corrections = sum(len(r.corrected_months) for r in InvoiceRun.objects.filter(month=december))
    figures.update(
        {
            "db_second_run_seconds": round(second["total"], 2),
            "db_retroactive_changes": len(ended),
            "db_second_run_corrected_months": corrections,
            "db_target_seconds": DB_TARGET_SECONDS,
            "db_meets_target": first["total"] < DB_TARGET_SECONDS,
        }
    )
    print(f"scale-{scale:g} run: {first['total']:.1f} s (target < {DB_TARGET_SECONDS} s)")
    shutil.rmtree(tmp, ignore_errors=True)
    return figures


def peak_rss_mb() -> float:
    # ru_maxrss is kilobytes on Linux and bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_COUNT:,} households")
    parser.add_argument("--households", type=int, help="override the household count")
    parser.add_argument(
        "--db", action="store_true", help="the monthly run from the database (not the engine)"
    )
    parser.add_argument("--scale", type=float, default=10.0, help="demo scale for --db")
    args = parser.parse_args(argv)
    count = args.households or (QUICK_COUNT if args.quick else FULL_COUNT)
    figures: dict[str, Any] = {
        "benchmark": "billing",
        "quick": bool(args.quick),
        "python": platform.python_version(),
        "month": str(MONTH),
    }
    if args.db:
        figures.update(bench_db(1.0 if args.quick else args.scale))
    else:
        for part in PARTS.values():
            figures.update(part(count))
    figures["peak_rss_mb"] = peak_rss_mb()
    print(f"peak memory (RSS): {figures['peak_rss_mb']} MB")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
