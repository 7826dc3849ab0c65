"""Run a command against a throwaway PostgreSQL cluster.

    python -m oppvekst.devtools.pgtest -- pytest -q

initdb and pg_ctl from the machine's PostgreSQL server binaries create a cluster in a temporary
directory on a free port; DATABASE_URL points the command at it; the cluster is stopped and
removed afterwards, whatever happens. As root (CI), the cluster runs as the unprivileged
`postgres` user, because initdb refuses root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them, e.g. on "
    "Debian/Ubuntu: `sudo apt-get install postgresql`, on macOS: `brew install postgresql@16`, "
    "or set PG_BIN to the directory that holds initdb."
)


def find_bin_dir() -> Path | None:
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    candidates += sorted(glob.glob("/usr/local/pgsql*/bin"), reverse=True)
    which = shutil.which("pg_ctl")
    if which:
        candidates.append(str(Path(which).parent))
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_cluster_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]


def run(command: Sequence[str]) -> int:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 3
    tmp = Path(tempfile.mkdtemp(prefix="oppvekst-pg-"))
    data, sockdir = tmp / "data", tmp / "sock"
    sockdir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
        shutil.chown(sockdir, "postgres")
        os.chmod(tmp, 0o755)
    port = free_port()
    log = tmp / "server.log"
    try:
        subprocess.run(
            _as_cluster_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_cluster_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/postgres")
        print(f"PostgreSQL test cluster on port {port} ({bin_dir})", flush=True)
        return subprocess.run(list(command), env=env).returncode
    except subprocess.CalledProcessError as exc:
        print(f"Could not start PostgreSQL: {exc}", file=sys.stderr)
        if log.exists():
            print(log.read_text(), file=sys.stderr)
        return 3
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_cluster_user(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        print("usage: python -m oppvekst.devtools.pgtest -- COMMAND ...", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
