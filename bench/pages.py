"""Every page and API list of every demo persona: server time and query count.

    .venv/bin/python bench/pages.py                    # SQLite and PostgreSQL, scale 1
    .venv/bin/python bench/pages.py --db sqlite --quick
    .venv/bin/python bench/pages.py --db postgres --scale 10

For each database a fresh demo municipality is generated (seed 1) and its statistics refreshed as
`oppvekst demo` does. Then each persona logs in through the demo login and follows the links of
its pages from the front page to depth 2 (at most two URLs per URL pattern, so one child's page
stands for all), plus every API list (GET without path parameters, with a bearer token of the
same persona). Each URL is loaded once to warm it and then three times; a line per URL gives the
median server time (Django's handler, in process: no network) and the query count of the last
load. Target: every page and list under 300 ms at scale 1 on both databases, and under 1 s on
PostgreSQL at scale 10. Ends with one JSON line.

The machine may be shared: the figures are wall-clock times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-25"
TARGET_MS = {1.0: 300.0}
SKIP_PREFIXES = (
    "/static/",
    "/logout/",
    "/auth/",
    "/i18n/",
    "/admin/logout/",
    "/admin/password_change/",
    "/api/v1/docs",
)
PER_PATTERN = 2


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.links:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if any(parts.path.startswith(p) for p in SKIP_PREFIXES):
            continue
        out.append(href)
    return out


# -- the crawl, in a process whose database is ready -------------------------------------------


def _setup(scale: float, generate: bool) -> float:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oppvekst.settings")
    os.environ["OPPVEKST_DEMO"] = "1"
    os.environ.setdefault("OPPVEKST_TODAY", TODAY)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404s of other personas' lists
    if not generate:
        return 0.0
    from django.core.management import call_command

    from oppvekst.core.models import Municipality

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not Municipality.objects.exists():
        call_command("demo", scale=scale, no_progress=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return time.perf_counter() - started


def _measure(client: Any, url: str, repeat: int, headers: dict[str, str]) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(url, **headers)  # warm: caches, the first compile of a template
    times = []
    queries = 0
    response = first
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return {
        "status": response.status_code,
        "ms": round(statistics.median(times), 1),
        "queries": queries,
        "bytes": len(response.content),
        "response": response,
    }


def _pattern(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.route or match.view_name


def _api_lists() -> list[str]:
    from oppvekst.api.base import api

    schema = api.get_openapi_schema()
    urls = []
    for route, operations in schema["paths"].items():
        if "{" in route or "get" not in operations:
            continue
        if route.rstrip("/").endswith(("openapi.json", "/docs")):
            continue
        urls.append(route)
    return sorted(urls)


def crawl(personas: Sequence[str], depth: int, repeat: int) -> list[dict[str, Any]]:
    from django.test import Client

    from oppvekst.access.services import service_token_create
    from oppvekst.demo.models import DemoPersona

    rows: list[dict[str, Any]] = []
    chosen = DemoPersona.objects.select_related("user").order_by("order")
    for persona in chosen:
        if personas and persona.slug not in personas:
            continue
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        login = client.post("/login/", {"persona": persona.slug})
        if login.status_code != 302:
            print(f"{persona.slug}: demo login failed ({login.status_code})", file=sys.stderr)
            continue
        seen: set[str] = set()
        per_pattern: dict[str, int] = {}
        frontier = ["/"]
        for level in range(depth + 1):
            following: list[str] = []
            for url in frontier:
                if url in seen:
                    continue
                pattern = _pattern(url)
                if per_pattern.get(pattern, 0) >= PER_PATTERN:
                    continue
                seen.add(url)
                per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
                result = _measure(client, url, repeat, {})
                response = result.pop("response")
                rows.append({"persona": persona.slug, "url": url, "kind": "page", **result})
                _print(rows[-1])
                if level < depth and "html" in response.get("Content-Type", ""):
                    following += _links(response.content.decode(errors="replace"))
            frontier = following
        _token, plaintext = service_token_create(user=persona.user, name="bench pages")
        api = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
        for route in _api_lists():
            url = route if route.startswith("/api/") else "/api/v1" + route
            for variant in (url, url + "?limit=1") if url.endswith("/children") else (url,):
                result = _measure(api, variant, repeat, headers)
                result.pop("response")
                if result["status"] in (403, 404, 405):
                    continue  # not this persona's list
                rows.append({"persona": persona.slug, "url": variant, "kind": "api", **result})
                _print(rows[-1])
    return rows


def _print(row: dict[str, Any]) -> None:
    print(
        f"  {row['persona']:<26} {row['status']} {row['ms']:>8.1f} ms {row['queries']:>4} q"
        f"  {row['url']}",
        flush=True,
    )


def run_inside(args: argparse.Namespace) -> int:
    """The child process: DATABASE_URL (or OPPVEKST_VAR_DIR) already points at the database."""
    setup_seconds = _setup(args.scale, generate=not args.no_generate)
    from django.db import connection

    rows = crawl(args.persona, args.depth, args.repeat)
    result = {
        "vendor": connection.vendor,
        "setup_seconds": round(setup_seconds, 1),
        "rows": rows,
    }
    Path(args.result).write_text(json.dumps(result))
    return 0


# -- the parent: one child per database ---------------------------------------------------------


def _child(db: str, args: argparse.Namespace, result: Path) -> int:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--inside",
        "--result",
        str(result),
        "--scale",
        str(args.scale),
        "--depth",
        str(args.depth),
        "--repeat",
        str(args.repeat),
    ]
    for slug in args.persona:
        command += ["--persona", slug]
    env = dict(os.environ)
    if args.no_generate:
        command.append("--no-generate")
    if db == "postgres":
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        else:
            env.pop("DATABASE_URL", None)
            command = [sys.executable, "-m", "oppvekst.devtools.pgtest", "--", *command]
    else:
        env.pop("DATABASE_URL", None)
        env["OPPVEKST_VAR_DIR"] = args.var_dir or tempfile.mkdtemp(prefix="oppvekst-pages-")
    return subprocess.run(command, env=env, cwd=ROOT).returncode


def summarise(db: str, data: dict[str, Any], scale: float) -> dict[str, Any]:
    rows = data["rows"]
    target = 300.0 if scale <= 1 else 1000.0
    times = sorted(r["ms"] for r in rows)
    slow = sorted((r for r in rows if r["ms"] >= target), key=lambda r: -r["ms"])
    errors = [r for r in rows if r["status"] >= 500]
    return {
        "db": db,
        "urls": len(rows),
        "personas": len({r["persona"] for r in rows}),
        "setup_s": data["setup_seconds"],
        "median_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1) if times else None,
        "max_ms": times[-1] if times else None,
        "max_queries": max((r["queries"] for r in rows), default=0),
        "target_ms": target,
        "over_target": [
            {"persona": r["persona"], "url": r["url"], "ms": r["ms"], "queries": r["queries"]}
            for r in slow
        ],
        "server_errors": [{"persona": r["persona"], "url": r["url"]} for r in errors],
        "slowest": [
            {"persona": r["persona"], "url": r["url"], "ms": r["ms"], "queries": r["queries"]}
            for r in sorted(rows, key=lambda r: -r["ms"])[:5]
        ],
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--persona", action="append", default=[], help="only these (repeat)")
    parser.add_argument("--quick", action="store_true", help="scale 0.1, depth 1")
    parser.add_argument("--database-url", help="an existing PostgreSQL database to use")
    parser.add_argument("--var-dir", help="an existing SQLite OPPVEKST_VAR_DIR to use")
    parser.add_argument(
        "--no-generate",
        action="store_true",
        help="use the database as it is: no migrate, no demo, no statistics refresh",
    )
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.depth < 0 or args.repeat < 1:
        print("pages: --scale must be positive, --depth >= 0, --repeat >= 1", file=sys.stderr)
        return 2
    if args.quick:
        args.scale, args.depth = 0.1, 1
    if args.inside:
        return run_inside(args)
    summary: dict[str, Any] = {"bench": "pages", "scale": args.scale, "depth": args.depth}
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    code = 0
    for db in dbs:
        print(f"== {db}, scale {args.scale}", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            result = Path(handle.name)
        rc = _child(db, args, result)
        if rc != 0 or not result.read_text():
            print(f"{db}: the crawl failed (exit {rc})", file=sys.stderr)
            summary[db] = {"error": f"exit {rc}"}
            code = 1
            continue
        summary[db] = summarise(db, json.loads(result.read_text()), args.scale)
        result.unlink()
        s = summary[db]
        print(
            f"{db}: {s['urls']} URLs, median {s['median_ms']} ms, p95 {s['p95_ms']} ms, "
            f"max {s['max_ms']} ms, {len(s['over_target'])} over {s['target_ms']:.0f} ms, "
            f"{len(s['server_errors'])} server errors",
            flush=True,
        )
    print(json.dumps(summary, ensure_ascii=False))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
