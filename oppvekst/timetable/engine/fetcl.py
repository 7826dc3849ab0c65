"""Run FET's command line solver (``fet-cl``, Debian package ``fet``) and read its verdict.

Used by the benchmark and the FET round-trip tests only; the product never needs FET.

How ``fet-cl`` reports (FET 6.8.5): it always writes ``<outputdir>/logs/result.txt``; the
last line is ``Simulation successful`` when every activity was placed with all hard
constraints respected (exit code 0, timetables in ``timetables/<name>/``), ``Time exceeded``
when the time limit stopped it (exit code 0, partial timetables in ``<name>-current`` and
``<name>-highest``), and ``Cannot precompute - data is wrong - aborting`` (exit code 1) when
the data is impossible for it. ``<name>_soft_conflicts.txt`` gives ``Total soft conflicts``
(sum of weight / 100 per broken soft constraint instance) and ``<name>_activities.xml``
the placement of every activity.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree

FetStatus = Literal["solved", "unsolved", "rejected", "error"]


def fet_cl_path() -> str | None:
    return shutil.which("fet-cl")


@dataclass
class FetRun:
    status: FetStatus
    seconds: float
    soft_conflicts: float | None = None
    placements: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    """Activity id -> (day name, hour name, room name) from FET's output."""
    message: str = ""


def hard_only_copy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> int:
    """Copy a FET file with every constraint under 100 % made inactive; returns how many.

    FET turns soft time constraints into "allowed with probability w %" for each slot, so a
    locked activity sitting in a slot a 95 % preference forbids may never be placed (fet-cl
    then runs until it is killed). Checking the hard constraints of a locked timetable is done
    on such a copy."""
    tree = etree.parse(str(src))
    n = 0
    for lst in ("Time_Constraints_List", "Space_Constraints_List"):
        parent = tree.getroot().find(lst)
        if parent is None:
            continue
        for c in parent:
            if not isinstance(c.tag, str):
                continue
            w = c.findtext("Weight_Percentage")
            try:
                soft = w is not None and float(w) < 100
            except ValueError:
                soft = False
            active = c.find("Active")
            if soft and active is not None and active.text != "false":
                active.text = "false"
                n += 1
    tree.write(str(dst), xml_declaration=True, encoding="UTF-8")
    return n


def check_locked(
    fet_file: str | os.PathLike[str], workdir: str | os.PathLike[str], time_limit: float = 30
) -> tuple[FetStatus, str]:
    """Does ``fet-cl`` accept a file whose activities are all locked? Returns (status, how):
    ``how`` is "as written" or, when FET's handling of soft constraints blocks it, "hard
    constraints only" (see :func:`hard_only_copy`)."""
    work = Path(workdir)
    run = run_fet_cl(fet_file, work / "as-written", time_limit)
    if run.status == "solved":
        return "solved", "as written"
    if run.status == "rejected":
        return "rejected", run.message
    copy = work / "hard-only.fet"
    hard_only_copy(fet_file, copy)
    again = run_fet_cl(copy, work / "hard-only", time_limit)
    return again.status, "hard constraints only" if again.status == "solved" else again.message


def run_fet_cl(
    fet_file: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    time_limit: float,
    seed: int | None = None,
) -> FetRun:
    exe = fet_cl_path()
    if exe is None:
        return FetRun("error", 0.0, message="fet-cl is not installed")
    out = Path(outdir)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    args = [
        exe,
        f"--inputfile={fet_file}",
        f"--outputdir={out}",
        f"--timelimitseconds={max(1, round(time_limit))}",
        "--htmllevel=0",
        "--writetimetablesdayshorizontal=false",
        "--writetimetablesdaysvertical=false",
        "--writetimetablestimehorizontal=false",
        "--writetimetablestimevertical=false",
        "--writetimetablesstatistics=false",
    ]
    if seed is not None:
        s = str(max(1, seed))
        args += [f"--randomseeds{k}={s}" for k in ("10", "11", "12", "20", "21", "22")]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            args, capture_output=True, text=True, timeout=time_limit + 30, errors="replace"
        )
    except subprocess.TimeoutExpired:
        return FetRun("unsolved", time.monotonic() - t0, message="fet-cl did not stop")
    seconds = time.monotonic() - t0
    result = out / "logs" / "result.txt"
    text = result.read_text(encoding="utf-8-sig", errors="replace") if result.exists() else ""
    if "Simulation successful" in text:
        status: FetStatus = "solved"
    elif "Time exceeded" in text:
        status = "unsolved"
    elif proc.returncode != 0 or "aborting" in text or "aborting" in proc.stdout:
        status = "rejected"
    else:
        status = "error"
    run = FetRun(status, seconds)
    if status != "solved":
        lines = [ln for ln in (proc.stdout + "\n" + text).splitlines() if ln.strip()]
        run.message = " | ".join(lines[-3:])[:500]
        return run
    tdir = next((p for p in (out / "timetables").glob("*") if p.is_dir()), None)
    if tdir is not None:
        for f in tdir.glob("*_soft_conflicts.txt"):
            m = re.search(r"Total soft conflicts: ([0-9.]+)", f.read_text("utf-8-sig"))
            if m:
                run.soft_conflicts = float(m.group(1))
        for f in tdir.glob("*_activities.xml"):
            root = etree.parse(str(f)).getroot()
            for a in root.iterfind("Activity"):
                aid = int(a.findtext("Id") or 0)
                run.placements[aid] = (
                    (a.findtext("Day") or "").strip(),
                    (a.findtext("Hour") or "").strip(),
                    (a.findtext("Room") or "").strip(),
                )
    return run
