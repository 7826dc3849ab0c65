"""Gunicorn settings for serving Oppvekst in production (docs/decisions/0003-serving.md).

    gunicorn -c python:oppvekst.gunicorn_conf oppvekst.wsgi:application
    oppvekst serve                      # the same, with these settings

Everything is read from the environment so the same file serves a laptop and a municipality:

    OPPVEKST_BIND           address to listen on (default 127.0.0.1:8000; a proxy sits in front)
    OPPVEKST_WORKERS        worker processes (default: 2 per CPU core, at least 2)
    OPPVEKST_THREADS        threads per worker (default 4)
    OPPVEKST_TIMEOUT        seconds before a stuck worker is replaced (default 60)
    OPPVEKST_TRUSTED_PROXIES  addresses whose X-Forwarded-* headers gunicorn believes
                            (default 127.0.0.1,::1: the reverse proxy on the same machine)

The application is loaded once in the master before the workers fork (preload_app), with its URL
configuration resolved, so no worker pays for imports on its first request and the workers
share those pages of memory. No database connection is open at fork time: each worker opens
its own and keeps it (CONN_MAX_AGE in oppvekst/settings.py).
"""

from __future__ import annotations

import os
from typing import Any


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = [a for a in os.environ.get("OPPVEKST_BIND", "127.0.0.1:8000").split(",") if a]
workers = _int("OPPVEKST_WORKERS", max(2, 2 * (os.cpu_count() or 1)))
# Threads let a worker overlap database waits; each thread keeps its own connection.
worker_class = "gthread"
threads = _int("OPPVEKST_THREADS", 4)
timeout = _int("OPPVEKST_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
preload_app = True
# Replace workers now and then so a slow leak cannot grow without bound; jitter spreads the
# restarts so the workers do not all restart at once.
max_requests = _int("OPPVEKST_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("OPPVEKST_TRUSTED_PROXIES", "127.0.0.1,::1")
accesslog = os.environ.get("OPPVEKST_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("OPPVEKST_LOG_LEVEL", "warning").lower()
proc_name = "oppvekst"
# Workers heartbeat through a temporary file; on Linux /dev/shm keeps that off the disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def pre_fork(server: Any, worker: Any) -> None:
    """Runs in the master before each fork. The libraries a login and a decision letter need
    are imported lazily by the application (so the background worker and the tests do not pay
    for them) but here once, so the workers share them; OR-Tools stays out: only the background
    worker solves timetables. Never hand an open database connection to a child process."""
    import authlib.integrations.requests_client
    import authlib.oidc.core  # noqa: F401
    import joserfc.jwt  # noqa: F401
    from django.db import connections

    connections.close_all()
