"""``oppvekst timetable ...`` command line.

``oppvekst timetable solve --fet in.fet --time-limit SECONDS --output out.fet [--seed N]
[--workers N] [--optimize]`` solves a FET file and prints ONE JSON line::

    {"status": "solved"|"unsolved"|"infeasible", "seconds": ..., "placed": N,
     "activities": N, "hard_violations": 0, "soft_penalty": ..., "unsupported": [...]}

``hard_violations`` and ``soft_penalty`` come from the independent verifier. The output file
is the input with every activity locked at its solved time and room (when solved); otherwise
the input unchanged. Bad input (missing file, not XML, not FET, unknown references) prints one
line naming the problem on stderr and returns 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from oppvekst.safeio import SafeIOError, bounded_int, positive_number, read_bytes, write_atomically

from .engine.fet import (
    FetDocument,
    FetError,
    fet_bytes_with_solution,
    read_fet_string,
    read_locked_solution,
)
from .engine.model import ModelError, Solution
from .engine.solver import SolveOptions, solve
from .engine.verify import verify

MAX_TIME_LIMIT = 7 * 24 * 3600.0
MAX_WORKERS = 256


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> _Parser:
    p = _Parser(prog="oppvekst timetable", add_help=True)
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    s = sub.add_parser("solve", help="solve a FET file with the CP-SAT solver")
    s.add_argument("--fet", required=True, help="input .fet file")
    s.add_argument(
        "--time-limit",
        required=True,
        type=positive_number(MAX_TIME_LIMIT, "a number of seconds"),
        help="seconds",
    )
    s.add_argument("--output", required=True, help="output .fet file (solution locked)")
    # CP-SAT takes a 32-bit random seed and a worker count; refuse what it would not.
    s.add_argument("--seed", type=bounded_int(0, 2**31 - 1), default=0)
    s.add_argument(
        "--workers",
        type=bounded_int(0, MAX_WORKERS),
        default=0,
        help="CP-SAT workers (0 = all cores)",
    )
    s.add_argument(
        "--optimize",
        action="store_true",
        help="use the whole time limit to lower the soft penalty",
    )
    s.add_argument(
        "--warm-start",
        action="store_true",
        help="use the file's locked activities as a hint instead of as fixed",
    )
    return p


def _read(source: str) -> FetDocument:
    """Read through the size cap (``/dev/zero`` is refused, not read forever); the XML
    parser decides the encoding from the declaration, as FET does."""
    raw = read_bytes(source)
    doc = read_fet_string(raw, name=Path(source).stem)
    doc.path = source
    return doc


def main(argv: Sequence[str]) -> int:
    t0 = time.monotonic()
    try:
        args = _parser().parse_args(list(argv))
    except _UsageError as exc:
        print(f"usage error: {exc}", file=sys.stderr)
        return 2
    if args.command != "solve":
        print("usage error: expected the command 'solve'", file=sys.stderr)
        return 2
    try:
        doc = _read(args.fet)
        doc.instance.validate()
    except (FetError, ModelError, SafeIOError) as exc:
        print(f"bad input: {exc}", file=sys.stderr)
        return 2
    inst = doc.instance
    hint = read_locked_solution(doc) if args.warm_start else None
    remaining = max(0.5, args.time_limit - (time.monotonic() - t0))
    opts = SolveOptions(
        time_limit=remaining,
        seed=args.seed,
        workers=args.workers,
        optimize=args.optimize,
        hint=hint,
        explain=True,
        explain_time_limit=min(30.0, remaining / 2),
    )
    result = solve(inst, opts)
    solution = result.solution if result.status == "solved" else None
    hard, soft, _ = verify(inst, solution or Solution())
    try:
        write_atomically(args.output, fet_bytes_with_solution(doc, solution or Solution()))
    except SafeIOError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    out = {
        "status": result.status,
        "seconds": round(time.monotonic() - t0, 3),
        "placed": len(solution.placements) if solution else 0,
        "activities": len(inst.activities),
        "hard_violations": hard,
        "soft_penalty": round(soft, 4),
        "unsupported": sorted(inst.unsupported),
    }
    print(json.dumps(out, ensure_ascii=False))
    if result.status == "infeasible" and result.conflict:
        print("conflicting constraints: " + "; ".join(result.conflict), file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
