"""`oppvekst serve`: the production web server (gunicorn with oppvekst/gunicorn_conf.py).

The process becomes gunicorn (exec), so a process supervisor's signals reach it directly:
TERM stops gracefully, HUP reloads the code with new workers. See README "Serving in production".
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve the application with gunicorn (settings in oppvekst/gunicorn_conf.py)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", help="Address to listen on (default 127.0.0.1:8000).")
        parser.add_argument("--workers", type=int, help="Worker processes.")
        parser.add_argument("--threads", type=int, help="Threads per worker.")
        parser.add_argument(
            "--check", action="store_true", help="Print the gunicorn command and exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        env = dict(os.environ)
        if options["bind"]:
            env["OPPVEKST_BIND"] = options["bind"]
        for name in ("workers", "threads"):
            value = options[name]
            if value is not None:
                if value < 1:
                    raise CommandError(f"--{name} must be at least 1")
                env[f"OPPVEKST_{name.upper()}"] = str(value)
        env.setdefault("DJANGO_SETTINGS_MODULE", "oppvekst.settings")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:oppvekst.gunicorn_conf",
            "oppvekst.wsgi:application",
        ]
        if options["check"]:
            self.stdout.write(" ".join(command))
            return
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, command, env)
