"""The statutory reports and the front pages that lead to them: GSI and BASIL for the whole demo
municipality, the caseworker's and a kindergarten head's front page.

    .venv/bin/python bench/reports.py                       # PostgreSQL, scale 1
    .venv/bin/python bench/reports.py --db sqlite --scale 0.2
    .venv/bin/python bench/reports.py --scale 10            # the target: GSI, BASIL < 5 s each,
                                                            # front pages < 300 ms, on PostgreSQL

A fresh demo (seed 1) is generated in a throwaway database; each figure is the median of three
warm runs (wall-clock on a possibly shared machine). Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(run: Callable[[], object], repeat: int = 3) -> float:
    run()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def inside(scale: float, result: Path) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oppvekst.settings")
    os.environ["OPPVEKST_DEMO"] = "1"
    os.environ.setdefault("OPPVEKST_TODAY", "2026-12-15")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from oppvekst.core.models import Municipality
    from oppvekst.demo.models import DemoPersona
    from oppvekst.reports.selectors import basil_report, gsi_report

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("demo", scale=scale, no_progress=True, stdout=quiet)
    setup_s = round(time.perf_counter() - started, 1)
    figures: dict[str, Any] = {"setup_s": setup_s, "gsi_ms": {}, "basil_ms": {}}
    for muni in Municipality.objects.order_by("number"):
        figures["gsi_ms"][muni.number] = _median_ms(
            functools.partial(gsi_report, muni, dt.date(2026, 10, 1))
        )
        figures["basil_ms"][muni.number] = _median_ms(
            functools.partial(basil_report, muni, dt.date(2026, 12, 15))
        )
    settings.ALLOWED_HOSTS = ["testserver"]  # the test client's host name
    for slug in ("caseworker", "kindergarten-head", "principal"):
        client = Client()
        client.force_login(DemoPersona.objects.get(slug=slug).user)
        status = client.get("/").status_code
        if status != 200:
            print(f"reports: the front page of {slug} answered {status}", file=sys.stderr)
            return 1
        figures[f"front_page_ms_{slug}"] = _median_ms(functools.partial(client.get, "/"))
    result.write_text(json.dumps(figures))
    return 0


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 20:
        print("reports: --scale must be above 0 and at most 20", file=sys.stderr)
        return 2
    if args.inside:
        return inside(args.scale, Path(args.result))
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--inside",
        "--scale",
        str(args.scale),
        "--result",
        str(result),
    ]
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if args.db == "postgres":
        command = [sys.executable, "-m", "oppvekst.devtools.pgtest", "--", *command]
    else:
        env["OPPVEKST_VAR_DIR"] = tempfile.mkdtemp(prefix="oppvekst-reports-")
    rc = subprocess.run(command, env=env, cwd=ROOT).returncode
    if rc != 0 or not result.read_text():
        print(f"reports: the run failed (exit {rc})", file=sys.stderr)
        return 1
    figures = json.loads(result.read_text())
    result.unlink()
    worst = max([*figures["gsi_ms"].values(), *figures["basil_ms"].values()], default=0.0)
    fronts = [v for k, v in figures.items() if k.startswith("front_page_ms_")]
    for key, value in figures.items():
        print(f"{key}: {value}")
    summary = {
        "bench": "reports",
        "db": args.db,
        "scale": args.scale,
        **figures,
        "reports_under_5s": worst < 5000,
        "front_pages_under_300ms": all(v < 300 for v in fronts),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
