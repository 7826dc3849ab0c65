"""Billing benchmarks.

    .venv/bin/python bench/billing.py            # pure engine, 1,000,000 households
    .venv/bin/python bench/billing.py --quick    # pure engine, 100,000 households

Prints human lines, then ONE JSON line with the figures (docs/HELPERS.md).

Parts:
  * ``bench_pure``: quote synthetic households for one month with the pure engine
    (``oppvekst.billing.pricing``), no database. Target: above 100,000 households/second.
  * ``--db`` (the scale-10 monthly run from the database) is to be added as another function,
    ``bench_db(...) -> dict``, registered in ``PARTS`` below; ``main`` merges each part's figures
    into the final JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from oppvekst.billing.pricing import (
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


def peak_rss_mb() -> float:
    # ru_maxrss is kilobytes on Linux and bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_COUNT:,} households")
    parser.add_argument("--households", type=int, help="override the household count")
    args = parser.parse_args(argv)
    count = args.households or (QUICK_COUNT if args.quick else FULL_COUNT)
    figures: dict[str, Any] = {
        "benchmark": "billing",
        "quick": bool(args.quick),
        "python": platform.python_version(),
        "month": str(MONTH),
    }
    for part in PARTS.values():
        figures.update(part(count))
    figures["peak_rss_mb"] = peak_rss_mb()
    print(f"peak memory (RSS): {figures['peak_rss_mb']} MB")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
