"""Timetable benchmark: our CP-SAT solver against FET (``fet-cl``) on FET's own examples.

    .venv/bin/python bench/timetable.py [--time-limit 120] [--quick] [--workers 2]
    .venv/bin/python bench/timetable.py --coverage

For every instance it runs our solver (in-process: parse, solve, verify) and then ``fet-cl``
(one after the other, never at the same time) with the same time limit, and prints a line
with: solved by each, seconds, soft penalty (ours from the independent verifier, FET's
"Total soft conflicts"). Then ONE JSON line: counts solved by each, median time ratio
(ours / FET over instances both solved), and instances only we solve.

``--coverage`` instead counts, over all of fet-data's official examples, which constraint
types occur in how many files and how many files we support completely.

Needs Debian's ``fet`` and ``fet-data`` packages (``apt-get install fet fet-data``).
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the demo school beside this file

from lxml import etree
from timetable_demo_school import generate_demo_school

from oppvekst.timetable.engine.fet import (
    SUPPORTED_TYPES,
    FetDocument,
    constraint_type_counts,
    read_fet,
    write_fet,
    write_fet_with_solution,
)
from oppvekst.timetable.engine.fetcl import check_locked, fet_cl_path, run_fet_cl
from oppvekst.timetable.engine.solver import SolveOptions, solve
from oppvekst.timetable.engine.verify import verify

EXAMPLES = Path("/usr/share/doc/fet-data/examples")
OFFICIAL = "FET-5-official"

# FET's official examples named in the issue, by the closest file in Debian's fet-data, small to
# large, plus examples FET itself has trouble with.
INSTANCES = [
    "Denmark/small-school.fet",
    "United-Kingdom/Hopwood/Hopwood.fet",
    "Greece/Didymoteicho/6th-Primary-School.fet",
    "Brazil/1/Brazil.fet",
    "Germany/DGS-Pro/dgspro200809.fet",
    "Spain/1-school/school.fet",
    "Bulgaria/Lom_high_school_2007-2008.fet",
    "Namibia/by-Bobby/set-2/MAPS.fet",
    "Germany/secondary-school-1/using_subactivities_constraints/German_subact_constr.fet",
    "Hungary/Bethlen/2008-2009/2-newer/Bethlen-2008-2009.fet",
    "Belize/Sacred-Heart-College/shc-2013/shc-2013.fet",
    "Spain/2-secondary-school/secondary-school.fet",
    "Greece/Gymnasio/Gymnasio.fet",
    "Brazil/3/ACHILES-MANHA.fet",
    "Hungary/Bethlen/2007-2008-difficult/Bethlen_2007_2008.fet",
    "Greece/Pireus-difficult/8th-highschool.fet",
]
QUICK = [
    "Denmark/small-school.fet",
    "United-Kingdom/Hopwood/Hopwood.fet",
    "Greece/Didymoteicho/6th-Primary-School.fet",
    "Brazil/3/ACHILES-MANHA.fet",
]
DEMO = "demo:1-10 school (seed 1)"


def run_ours(path: Path, time_limit: float, workers: int, seed: int, out: Path) -> dict:
    t0 = time.monotonic()
    doc: FetDocument = read_fet(path)
    inst = doc.instance
    res = solve(
        inst,
        SolveOptions(
            time_limit=time_limit, workers=workers, seed=seed, optimize=False, explain=False
        ),
    )
    seconds = time.monotonic() - t0
    rec: dict = {
        "status": res.status,
        "seconds": round(seconds, 2),
        "activities": len(inst.activities),
        "unsupported": sorted(inst.unsupported),
    }
    if res.solution is not None and res.status == "solved":
        hard, soft, _ = verify(inst, res.solution)
        rec.update(hard_violations=hard, soft_penalty=round(soft, 2))
        write_fet_with_solution(doc, res.solution, out)
    return rec


def run_fet(path: Path, time_limit: float, outdir: Path) -> dict:
    run = run_fet_cl(path, outdir, time_limit)
    rec: dict = {"status": run.status, "seconds": round(run.seconds, 2)}
    if run.soft_conflicts is not None:
        rec["soft_penalty"] = round(run.soft_conflicts, 2)
    if run.status != "solved" and run.message:
        rec["message"] = run.message[-160:]
    return rec


def fmt(rec: dict) -> str:
    s = f"{rec['status']:<9} {rec['seconds']:>7.2f}s"
    if "soft_penalty" in rec:
        s += f" soft {rec['soft_penalty']:>8.2f}"
    if "hard_violations" in rec:
        s += f" hard {rec['hard_violations']}"
    return s


def benchmark(args: argparse.Namespace) -> int:
    if fet_cl_path() is None or not EXAMPLES.is_dir():
        print("needs fet-cl and fet-data: apt-get install fet fet-data", file=sys.stderr)
        return 2
    names = QUICK if args.quick else INSTANCES
    limit = args.time_limit if args.time_limit is not None else (20.0 if args.quick else 120.0)
    if args.only:
        names = [n for n in [*INSTANCES, DEMO] if any(o in n for o in args.only)]
    elif not args.no_demo:
        names = [*names, DEMO]
    work = Path(tempfile.mkdtemp(prefix="bench_tt_"))
    rows: list[dict[str, Any]] = []
    print(f"time limit {limit:.0f}s, our workers {args.workers}, files in {work}")
    for name in names:
        if name == DEMO:
            path = work / "demo-school.fet"
            write_fet(generate_demo_school(1), path)
        else:
            path = EXAMPLES / OFFICIAL / name
        ours = run_ours(path, limit, args.workers, args.seed, work / "ours.fet")
        check = ""
        if ours["status"] == "solved" and not args.no_check:
            status, how = check_locked(work / "ours.fet", work / "check", 30)
            ours["fet_accepts"] = status == "solved"
            ours["fet_check"] = how
            if status == "solved":
                check = " fet-cl accepts" + (" (hard only)" if how != "as written" else "")
            else:
                check = f" fet-cl {status.upper()}"
        fet = run_fet(path, limit, work / "fet")
        rows.append({"instance": name, "ours": ours, "fet": fet})
        print(
            f"{name[:58]:<58} {ours['activities']:>5} acts | ours {fmt(ours)}{check} | "
            f"fet {fmt(fet)}",
            flush=True,
        )
    both = [r for r in rows if r["ours"]["status"] == r["fet"]["status"] == "solved"]
    ratios = [max(r["ours"]["seconds"], 0.01) / max(r["fet"]["seconds"], 0.01) for r in both]
    fet_solved = [r for r in rows if r["fet"]["status"] == "solved"]
    summary = {
        "time_limit": limit,
        "instances": len(rows),
        "solved_ours": sum(r["ours"]["status"] == "solved" for r in rows),
        "solved_fet": len(fet_solved),
        "ours_zero_hard_on_fet_solved": sum(
            r["ours"].get("hard_violations") == 0 for r in fet_solved
        ),
        "median_time_ratio": round(statistics.median(ratios), 2) if ratios else None,
        "median_seconds_ours": round(statistics.median(r["ours"]["seconds"] for r in rows), 2),
        "median_seconds_fet": round(statistics.median(r["fet"]["seconds"] for r in rows), 2),
        "only_ours": [
            r["instance"]
            for r in rows
            if r["ours"]["status"] == "solved" and r["fet"]["status"] != "solved"
        ],
        "only_fet": [
            r["instance"]
            for r in rows
            if r["fet"]["status"] == "solved" and r["ours"]["status"] != "solved"
        ],
        # where fet-cl refuses the input itself it cannot check any timetable for it
        "fet_rejects_our_solution": [
            r["instance"]
            for r in rows
            if r["ours"].get("fet_accepts") is False and r["fet"]["status"] != "rejected"
        ],
        "fet_rejects_the_input": [r["instance"] for r in rows if r["fet"]["status"] == "rejected"],
    }
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def coverage() -> int:
    """Constraint types over fet-data's official examples and our support of them."""
    files = sorted(glob.glob(str(EXAMPLES / "FET-*-official" / "**" / "*.fet"), recursive=True))
    if not files:
        print("fet-data examples not found: apt-get install fet-data", file=sys.stderr)
        return 2
    in_files: Counter[str] = Counter()
    full = 0
    partial: Counter[str] = Counter()
    for f in files:
        root = etree.parse(f).getroot()
        types = set(constraint_type_counts(root))
        in_files.update(types)
        inst = read_fet(f).instance
        if not inst.unsupported:
            full += 1
        partial.update(inst.unsupported)
    for t, n in in_files.most_common():
        mark = "supported" if t in SUPPORTED_TYPES else "NOT supported"
        print(f"{n:>4} files  {t:<60} {mark}")
    unsupported_types = sorted(t for t in in_files if t not in SUPPORTED_TYPES)
    print(
        json.dumps(
            {
                "files": len(files),
                "fully_supported_files": full,
                "fully_supported_percent": round(100 * full / len(files), 1),
                "constraint_types_seen": len(in_files),
                "constraint_types_supported": len(in_files) - len(unsupported_types),
                "unsupported_types": unsupported_types,
                "other_unsupported_features": sorted(
                    k for k in partial if not k.startswith("Constraint")
                ),
            }
        )
    )
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--time-limit", type=float, default=None, help="seconds (default 120, quick 20)")
    p.add_argument("--quick", action="store_true", help="a few small instances, 20 s")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", nargs="*", help="run only instances whose name contains these")
    p.add_argument("--no-demo", action="store_true", help="leave out the generated demo school")
    p.add_argument("--no-check", action="store_true", help="skip fet-cl checks of our solutions")
    p.add_argument("--json-out", help="write per-instance results here")
    p.add_argument("--coverage", action="store_true", help="FET constraint coverage report")
    args = p.parse_args()
    if args.coverage:
        return coverage()
    return benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
