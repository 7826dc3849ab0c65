"""The worker survives a lost database, and the supervisor restarts a worker that died."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.db.utils import OperationalError

from oppvekst.jobs import worker as worker_module
from oppvekst.jobs.worker import ResilientWorker


@pytest.mark.django_db
def test_the_worker_waits_for_the_database_instead_of_exiting(monkeypatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(worker_module.time, "sleep", pauses.append)
    claims: list[int] = []

    def claim(self: ResilientWorker) -> None:
        claims.append(1)
        if len(claims) <= 3:
            raise OperationalError("connection to server was lost")

    monkeypatch.setattr(ResilientWorker, "_claim", claim)
    w = ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    w.run()  # returns when the (batch) queue is empty, does not raise
    assert len(claims) == 4
    assert len(pauses) == 3 and pauses[0] < pauses[1] < pauses[2]  # backing off


def test_the_supervisor_restarts_a_worker_that_died(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    script = textwrap.dedent(
        f"""
        import subprocess, sys
        from oppvekst.jobs import supervisor

        def start(extra):
            with open({str(starts)!r}, "a") as f:
                f.write("x")
            return subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(9)"])

        supervisor._start = start
        sys.exit(supervisor.main([]))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if starts.exists() and len(starts.read_text()) >= 3:
                break
            time.sleep(0.2)
        assert starts.exists() and len(starts.read_text()) >= 3
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert b"exited (9)" in err
