"""`oppvekst worker`: run background tasks (the database queue) until stopped."""

from __future__ import annotations

import logging
import os
import socket
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from oppvekst.jobs import services
from oppvekst.jobs.worker import Pulse, ResilientWorker


class Command(BaseCommand):
    help = "Run the background worker (survives database restarts; several may run at once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--batch", action="store_true", help="Stop when the queue is empty")
        parser.add_argument("--no-startup-delay", action="store_false", dest="startup_delay")

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("oppvekst.worker").setLevel(logging.INFO)
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
        services.set_worker_id(worker_id)
        worker = ResilientWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=options["startup_delay"],
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        pulse = Pulse()
        pulse.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            pulse.stop.set()
            pulse.join(timeout=5)
