"""``oppvekst staffing norm --input unit.json``: the formal staffing norms of one kindergarten.

``main`` receives the arguments after the word ``staffing`` (docs/HELPERS.md), returns the exit
code and never calls ``sys.exit``. ``--input -`` reads stdin. Pure: no Django.

Input::

    {"date": "2026-12-15",
     "children": [{"id": "a", "birth_date": "2024-03-01", "weekly_hours": 41}],
     "staff": [{"id": "s1", "fte": 1.0, "pedagogical_leader": true, "basic_staffing": true}]}

Optional per child: ``shared_place`` (a key; children with the same key share one place and
count as one child in the pedagogue norm, engine/staffing.py).

Output (one JSON object)::

    {"under_3": 1, "over_3": 0, "children_corrected": "2.00", "fte_basic": "1.00",
     "corrected_per_fte": "2.00", "staffing_norm_met": true, "pedagogues_required": 1,
     "pedagogues_whole_fte": 1, "pedagogue_norm_met": true}

Bad input (malformed JSON or date, negative hours or FTE, missing or mistyped fields,
duplicate ids): exit code 2 and one line on stderr naming the problem.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from oppvekst.attendance.engine.staffing import NormChild, NormStaff, formal_norms
from oppvekst.safeio import SafeIOError, loads_json, read_text

EXIT_BAD_INPUT = 2
USAGE = "usage: oppvekst staffing norm --input FILE (or - for stdin)"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX = 10**6


class InputError(ValueError):
    """The input is invalid; the message names the problem in one line."""


def _date(value: Any, where: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise InputError(f"{where}: expected a date as YYYY-MM-DD, got {json.dumps(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{where}: {value} is not a valid date") from None


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InputError(f"{where}: expected a number, got {json.dumps(value)}")
    number = Decimal(value)
    if not number.is_finite() or abs(number) > _MAX:
        raise InputError(f"{where}: {value} is out of range")
    if number < 0:
        raise InputError(f"{where}: must not be negative, got {value}")
    return number


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{where}: expected true or false, got {json.dumps(value)}")
    return value


def _id(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise InputError(f"{where}: expected a non-empty string or integer id")
    return str(value)


def _field(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise InputError(f"{where}: missing field {key!r}")
    return obj[key]


def _objects(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = _field(data, key, "input")
    if not isinstance(items, list):
        raise InputError(f"{key}: expected a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"{key}[{i}]: expected an object")
    return items


def parse(text: str) -> tuple[date, list[NormChild], list[NormStaff]]:
    try:
        data = loads_json(text, parse_float=Decimal, wording="malformed JSON")
    except SafeIOError as exc:
        raise InputError(str(exc)) from None
    if not isinstance(data, dict):
        raise InputError("input: expected a JSON object")
    on = _date(_field(data, "date", "input"), "date")
    children: list[NormChild] = []
    seen: set[str] = set()
    for i, c in enumerate(_objects(data, "children")):
        where = f"children[{i}]"
        child_id = _id(_field(c, "id", where), f"{where}.id")
        if child_id in seen:
            raise InputError(f"{where}.id: duplicate child id {child_id!r}")
        seen.add(child_id)
        shared = c.get("shared_place")
        if shared is not None and (not isinstance(shared, str | int) or isinstance(shared, bool)):
            raise InputError(f"{where}.shared_place: expected a string")
        children.append(
            NormChild(
                id=child_id,
                birth_date=_date(_field(c, "birth_date", where), f"{where}.birth_date"),
                weekly_hours=_number(_field(c, "weekly_hours", where), f"{where}.weekly_hours"),
                shared_place=None if shared is None else str(shared),
            )
        )
    staff: list[NormStaff] = []
    seen = set()
    for i, s in enumerate(_objects(data, "staff")):
        where = f"staff[{i}]"
        staff_id = _id(_field(s, "id", where), f"{where}.id")
        if staff_id in seen:
            raise InputError(f"{where}.id: duplicate staff id {staff_id!r}")
        seen.add(staff_id)
        staff.append(
            NormStaff(
                id=staff_id,
                fte=_number(_field(s, "fte", where), f"{where}.fte"),
                pedagogical_leader=_flag(
                    _field(s, "pedagogical_leader", where), f"{where}.pedagogical_leader"
                ),
                basic_staffing=_flag(_field(s, "basic_staffing", where), f"{where}.basic_staffing"),
            )
        )
    return on, children, staff


def _read(path: str) -> str:
    try:
        return read_text(path)
    except SafeIOError as exc:
        raise InputError(str(exc)) from None


def main(argv: Sequence[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = list(argv)
    if len(args) != 3 or args[0] != "norm" or args[1] != "--input":
        print(USAGE, file=err)
        return EXIT_BAD_INPUT
    try:
        on, children, staff = parse(_read(args[2]))
    except InputError as exc:
        print(f"oppvekst staffing norm: {exc}", file=err)
        return EXIT_BAD_INPUT
    print(json.dumps(formal_norms(on, children, staff).as_json()), file=out)
    return 0
