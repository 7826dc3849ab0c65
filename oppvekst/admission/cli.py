"""``oppvekst admission solve --input instance.json --output result.json``.

Runs coordinated admission (:mod:`oppvekst.admission.engine.matching`) on a JSON instance, without
Django. The top-level ``oppvekst`` script passes the arguments after ``admission``.

Input::

    {"units": [{"id": "K1", "capacity": {"under3": 12, "over3": 24}}],
     "applicants": [{"id": "A1", "age_group": "under3", "choices": ["K1", "K7"],
                     "priority": {"K1": 0}, "tiebreak": 0.5}]}

At a unit, applicants are ordered by ``(priority.get(unit, 100), tiebreak, id)`` ascending.

Output (written atomically: a temporary file in the same directory, then a rename)::

    {"assignments": {"A1": "K1", "A2": null},
     "cutoffs": {"K1": {"under3": [0, 0.41, "A9"]}},
     "seconds": 0.012}

``assignments`` names every applicant; ``cutoffs`` holds, per unit and age group, the key of the
last applicant admitted there, only where someone was admitted; priorities and tiebreaks are
written as given (int or float); ``seconds`` is the algorithm's time, without reading,
validating and writing.

Exit codes: 0 on success (nothing on stdout); 2 on bad input or arguments, with exactly one
line on stderr naming the problem: missing or unreadable file, malformed JSON (NaN/Infinity
included), a missing field, a wrong type (capacity must be an int and ``true`` is not one;
tiebreak and priority values finite numbers; choices a list of strings; age_group a string),
a duplicate unit or applicant id, a negative capacity, an unknown unit in ``choices`` or in
``priority``, or the same unit twice in one applicant's ``choices``. An age group that a unit
has no capacity for is not an error: nobody of that age group gets a seat there. Extra fields
are ignored. An output file that cannot be written is also reported with exit code 2.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from oppvekst.admission.engine.matching import InstanceError, solve_dicts, validate_instance
from oppvekst.safeio import SafeIOError, read_json, write_atomically

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    pass


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse that reports instead of exiting (no sys.exit in library code)."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message.strip(), file=sys.stderr)
        raise _Exit(status)


def _build_parser() -> _Parser:
    parser = _Parser(prog="oppvekst admission", description="Coordinated kindergarten admission.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    solve = commands.add_parser(
        "solve",
        help="run deferred acceptance on a JSON instance",
        description="Applicant-proposing deferred acceptance over units with capacity per "
        "age group; writes assignments and cutoffs as JSON.",
    )
    solve.add_argument("--input", required=True, help="instance JSON file")
    solve.add_argument("--output", required=True, help="result JSON file (written atomically)")
    return parser


class _BadInput(Exception):
    """One line for stderr."""


def main(argv: Sequence[str]) -> int:
    try:
        args = _build_parser().parse_args(list(argv))
    except _UsageError as exc:
        return _fail(f"usage: {exc} (try: oppvekst admission solve --help)")
    except _Exit as exc:
        return exc.status
    try:
        with _gc_paused():  # the instance is acyclic; collections would only cost time
            _solve(Path(args.input), Path(args.output))
    except _BadInput as exc:
        return _fail(str(exc))
    return EXIT_OK


def _fail(message: str) -> int:
    print("error: " + " ".join(message.split()), file=sys.stderr)
    return EXIT_BAD_INPUT


@contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _solve(input_path: Path, output_path: Path) -> None:
    try:
        data = read_json(input_path, wording="malformed JSON")
    except SafeIOError as exc:
        raise _BadInput(str(exc)) from None
    try:
        validate_instance(data)
    except InstanceError as exc:
        raise _BadInput(f"invalid instance in {input_path}: {exc}") from None

    started = time.perf_counter()
    result = solve_dicts(data["units"], data["applicants"])
    seconds = time.perf_counter() - started

    payload = result.to_json()
    payload["seconds"] = seconds
    # ensure_ascii: ids may hold anything JSON allows, lone surrogates included.
    text = json.dumps(payload, allow_nan=False, separators=(",", ":"))
    try:
        write_atomically(output_path, text + "\n")
    except SafeIOError as exc:
        raise _BadInput(str(exc)) from None
