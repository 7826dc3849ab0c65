"""The production server's setup: warm workers, persistent connections, planner statistics."""

from __future__ import annotations

import importlib
import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection


def test_loading_the_url_configuration_imports_neither_ortools_nor_the_login_libraries():
    # A new worker's first request once spent 2.5 s importing these from the URL configuration.
    code = (
        "import os, sys; os.environ.setdefault('OPPVEKST_DEMO', '1');"
        "import oppvekst.wsgi;"
        "heavy = [m for m in ('ortools', 'authlib', 'joserfc', 'pandas') if m in sys.modules];"
        "print(','.join(heavy) or 'none')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "none"


def test_database_connections_persist_and_are_checked_before_reuse():
    db = settings.DATABASES["default"]
    assert (db["CONN_MAX_AGE"] or 0) > 0
    assert db["CONN_HEALTH_CHECKS"] is True


def test_sqlite_waits_for_the_writer_instead_of_failing():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["timeout"] >= 20
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


def test_gunicorn_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPPVEKST_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("OPPVEKST_WORKERS", "3")
    monkeypatch.setenv("OPPVEKST_THREADS", "2")
    import oppvekst.gunicorn_conf as conf

    conf = importlib.reload(conf)
    assert conf.bind == ["0.0.0.0:9000"]
    assert (conf.workers, conf.threads) == (3, 2)
    assert conf.preload_app is True
    assert conf.worker_class == "gthread"


def test_serve_runs_gunicorn_with_the_project_settings():
    out = io.StringIO()
    call_command("serve", "--check", stdout=out)
    command = out.getvalue()
    assert "-m gunicorn --config python:oppvekst.gunicorn_conf oppvekst.wsgi:application" in command


def test_serve_refuses_zero_workers():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--workers"):
        call_command("serve", "--workers", "0", "--check")


@pytest.mark.django_db
def test_analyze_gives_the_planner_statistics_for_the_demo_tables():
    call_command("analyze", stdout=io.StringIO())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'placements_placement'")
            assert cursor.fetchone()[0] > 0
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'placements_placement'")
            assert cursor.fetchone()[0] > 0


@pytest.mark.django_db
def test_a_large_bulk_insert_refreshes_the_tables_statistics(monkeypatch: pytest.MonkeyPatch):
    import datetime as dt

    from oppvekst import dbutils
    from oppvekst.core.models import IdempotencyRecord

    monkeypatch.setattr(dbutils, "ANALYZE_AFTER_ROWS", 50)
    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    rows = [("bench", f"k{i}", 1, i, now) for i in range(60)]
    dbutils.bulk_insert(
        IdempotencyRecord, ("scope", "key", "user_id", "object_id", "created_at"), rows
    )
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            stats = [row[0] for row in cursor.fetchall()]
            assert stats and all(s.split()[0] == "60" for s in stats)
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            assert cursor.fetchone()[0] == 60
