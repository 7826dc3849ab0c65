"""`oppvekst worker-supervised`: keep N workers running, restarting any that dies.

Pure process management (no Django here): the demo's `make run` uses it, and so can a small
installation without systemd. A worker that keeps dying is restarted with a growing pause.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

MAX_PAUSE = 30.0
HEALTHY_AFTER = 60.0  # a worker that ran this long resets the pause


def _start(extra: Sequence[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "oppvekst.cli", "worker", *extra])


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="oppvekst worker-supervised")
    parser.add_argument("--workers", type=int, default=1, help="how many workers (default 1)")
    args, extra = parser.parse_known_args(list(argv))
    if not 1 <= args.workers <= 64:
        print("oppvekst worker-supervised: --workers must be between 1 and 64", file=sys.stderr)
        return 2
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    procs: list[subprocess.Popen[bytes]] = [_start(extra) for _ in range(args.workers)]
    started = [time.monotonic()] * args.workers
    pauses = [0.0] * args.workers
    due = [0.0] * args.workers
    while not stopping:
        time.sleep(0.5)
        now = time.monotonic()
        for i, proc in enumerate(procs):
            code = proc.poll()
            if code is None or stopping:
                continue
            if due[i] == 0.0:
                healthy = now - started[i] >= HEALTHY_AFTER
                pauses[i] = 0.0 if healthy else min(MAX_PAUSE, max(0.5, pauses[i] * 2))
                due[i] = now + pauses[i]
                print(
                    f"oppvekst worker-supervised: worker {proc.pid} exited ({code}); "
                    f"restarting in {pauses[i]:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
            if now >= due[i]:
                procs[i] = _start(extra)
                started[i] = now
                due[i] = 0.0
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0
