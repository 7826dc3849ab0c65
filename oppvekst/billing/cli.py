"""``oppvekst billing ...``: command-line entry point for the pure billing engine.

    oppvekst billing quote --input household.json     (``--input -`` reads stdin)

``main`` receives the arguments after the word ``billing`` (docs/HELPERS.md), returns the exit
code and never calls ``sys.exit``. Bad input: one line on stderr naming the problem, exit 2.

Input::

    {"month": "2025-09", "municipality": {"zone": "standard"},
     "household_income_nok": 450000, "reduced_fee_granted": true,
     "children": [{"id": "a", "birth_date": "2021-05-02", "service": "kindergarten",
                   "place_percent": 100, "weekly_hours": 45},
                  {"id": "c", "birth_date": "2018-04-01", "service": "sfo", "grade": 2,
                   "list_price_nok": 3200, "weekly_hours": 20}]}

Required: ``month``, ``municipality.zone``, ``children``; per child ``id``, ``birth_date``,
``service`` and ``weekly_hours``; ``place_percent`` for kindergarten; ``grade`` and
``list_price_nok`` for SFO. Optional: ``household_income_nok`` (needed when a grant is true),
``reduced_fee_granted`` (default false: the 6 % income-based reduction only),
``free_core_hours_granted`` (default false: free core hours, gratis kjernetid, its own grant,
still subject to the age rule and the income threshold), per child ``delayed_school_start``
(default false) and ``food_nok`` (kost; accepted but never part of the output). Numbers may have
at most two decimals. The example above prints ``"fee_nok": "1200.00"`` for ``a`` (the 6 % cap of
450 000 is above the maximum price; free core hours were not granted) and ``1280.00`` for ``c``
(3 200 for 8 of 20 hours after the free hours; the 6 % cap is above that, norway.md § 3).

Output: ``{"children": {id: {"fee_nok", "lines": [{"rule", "amount_nok", "source"}]}},
"total_nok"}``, parent fee only, amounts as strings with two decimals.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from oppvekst.billing.engine.money import exact_hundredths, format_nok
from oppvekst.billing.engine.pricing import (
    KINDERGARTEN,
    SFO,
    Child,
    Household,
    MissingRuleError,
    Quote,
    YearMonth,
    default_rules,
    quote,
)
from oppvekst.billing.engine.rules import SERVICES, SFO_GRADES, ZONES
from oppvekst.safeio import SafeIOError, loads_json, read_text

EXIT_BAD_INPUT = 2
_MAX_NUMBER = 10**15  # no amount, percentage or hour count in a quote comes near this
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InputError(ValueError):
    """The household input is invalid; the message names the problem in one line."""


class _UsageError(Exception):
    pass


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and calling ``sys.exit``."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


def _build_parser() -> _Parser:
    parser = _Parser(prog="oppvekst billing", description="Parent fees (kindergarten, SFO).")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    quote_cmd = commands.add_parser("quote", help="quote one household's parent fee for a month")
    quote_cmd.add_argument("--input", required=True, help="household JSON file, or - for stdin")
    return parser


def main(argv: Sequence[str]) -> int:
    try:
        args = _build_parser().parse_args(list(argv))
    except _UsageError as exc:
        return _fail(f"usage: {exc}")
    except _Exit as exc:  # --help
        return exc.code
    if args.command == "quote":
        return _quote_command(args.input)
    return _fail(f"unknown command {args.command!r}")  # pragma: no cover - argparse rejects it


def _quote_command(source: str) -> int:
    try:
        text = _read_input(source)
        data = parse_json(text)
        month, household = parse_household(data)
        result = quote(household, month, default_rules())
    except InputError as exc:
        return _fail(str(exc))
    except MissingRuleError as exc:
        return _fail(f"no price rules for this input: {exc}")
    sys.stdout.write(json.dumps(render_quote(result)) + "\n")
    return 0


def _fail(message: str) -> int:
    print("billing: " + " ".join(message.split()), file=sys.stderr)
    return EXIT_BAD_INPUT


def _read_input(source: str) -> str:
    try:
        return read_text(source)
    except SafeIOError as exc:
        raise InputError(str(exc)) from None


# -- parsing ------------------------------------------------------------------------------------


def parse_json(text: str) -> Any:
    """Strict JSON: no NaN/Infinity, no duplicate keys; decimals become ``Decimal``."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise InputError(f"invalid JSON: duplicate key {key!r}")
            result[key] = value
        return result

    try:
        return loads_json(text, parse_float=Decimal, object_pairs_hook=no_duplicates)
    except SafeIOError as exc:
        raise InputError(str(exc)) from None


def parse_household(data: Any) -> tuple[YearMonth, Household]:
    """Validate the quote input and build the engine's ``Household``; raises ``InputError``."""
    if not isinstance(data, dict):
        raise InputError("input must be a JSON object")
    if "month" not in data:
        raise InputError("missing field: month")
    try:
        month = YearMonth.parse(data["month"])
    except ValueError:
        raise InputError(f"month must be a month YYYY-MM, got {_show(data['month'])}") from None

    municipality = _required(data, "municipality", "")
    if not isinstance(municipality, dict):
        raise InputError("municipality must be an object")
    zone = _required(municipality, "zone", "municipality.")
    if not isinstance(zone, str):
        raise InputError("municipality.zone must be a string")
    if zone not in ZONES:
        raise InputError(
            f"municipality.zone {zone!r} is unknown; expected one of {', '.join(ZONES)}"
        )

    income = _optional_money(data, "household_income_nok", "")
    granted = data.get("reduced_fee_granted")
    if granted is None:
        granted = False
    elif not isinstance(granted, bool):
        raise InputError("reduced_fee_granted must be true or false")
    if granted and income is None:
        raise InputError("household_income_nok is required when reduced_fee_granted is true")
    core_granted = data.get("free_core_hours_granted")
    if core_granted is None:
        core_granted = False
    elif not isinstance(core_granted, bool):
        raise InputError("free_core_hours_granted must be true or false")
    if core_granted and income is None:
        raise InputError("household_income_nok is required when free_core_hours_granted is true")

    raw_children = _required(data, "children", "")
    if not isinstance(raw_children, list):
        raise InputError("children must be a list")
    children: list[Child] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_children):
        child = _parse_child(raw, f"children[{index}].", month)
        if child.id in seen:
            raise InputError(f"duplicate child id {child.id!r}")
        seen.add(child.id)
        children.append(child)
    try:
        household = Household(
            zone=zone,
            children=tuple(children),
            income_ore=income,
            reduced_fee_granted=granted,
            free_core_hours_granted=core_granted,
        )
    except ValueError as exc:  # pragma: no cover - the checks above come first
        raise InputError(str(exc)) from None
    return month, household


def _parse_child(raw: Any, where: str, month: YearMonth) -> Child:
    if not isinstance(raw, dict):
        raise InputError(f"{where[:-1]} must be an object")
    child_id = _required(raw, "id", where)
    if not isinstance(child_id, str) or not child_id:
        raise InputError(f"{where}id must be a non-empty string")
    service = _required(raw, "service", where)
    if not isinstance(service, str):
        raise InputError(f"{where}service must be a string")
    if service not in SERVICES:
        raise InputError(f"{where}service {service!r} is unknown; expected kindergarten or sfo")
    birth_date = _parse_date(_required(raw, "birth_date", where), f"{where}birth_date")
    if birth_date > month.last_day:
        raise InputError(f"{where}birth_date {birth_date} is after the month {month}")
    hours = _number(_required(raw, "weekly_hours", where), f"{where}weekly_hours")
    if not 0 < hours <= 168:
        raise InputError(f"{where}weekly_hours must be above 0 and at most 168, got {hours}")
    place = raw.get("place_percent")
    if place is None and service == KINDERGARTEN:
        raise InputError(f"missing field: {where}place_percent")
    if place is not None:
        place = _number(place, f"{where}place_percent")
        if not 1 <= place <= 100:
            raise InputError(f"{where}place_percent must be between 1 and 100, got {place}")
    grade: int | None = None
    list_price: Decimal | int | None = None
    if service == SFO:
        grade = _required(raw, "grade", where)
        if isinstance(grade, bool) or not isinstance(grade, int):
            raise InputError(f"{where}grade must be an integer")
        if grade not in SFO_GRADES:
            raise InputError(f"{where}grade must be from 1 to 7 for SFO, got {grade}")
        list_price = _number(_required(raw, "list_price_nok", where), f"{where}list_price_nok")
        if list_price < 0:
            raise InputError(f"{where}list_price_nok must not be negative")
        place = None  # the list price is the price of the child's SFO place
    delayed = raw.get("delayed_school_start")
    if delayed is None:
        delayed = False
    elif not isinstance(delayed, bool):
        raise InputError(f"{where}delayed_school_start must be true or false")
    food = _optional_money(raw, "food_nok", where)
    return Child(
        id=child_id,
        birth_date=birth_date,
        service=service,
        weekly_hours_x100=_two_decimals(hours, f"{where}weekly_hours"),
        place_share_bp=10_000 if place is None else _two_decimals(place, f"{where}place_percent"),
        grade=grade,
        list_price_ore=None
        if list_price is None
        else _two_decimals(list_price, f"{where}list_price_nok"),
        delayed_school_start=delayed,
        food_ore=food or 0,
    )


def _required(raw: dict[str, Any], key: str, where: str) -> Any:
    if key not in raw or raw[key] is None:
        raise InputError(f"missing field: {where}{key}")
    return raw[key]


def _number(value: Any, name: str) -> Decimal | int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InputError(f"{name} must be a number, got {_show(value)}")
    if abs(value) >= _MAX_NUMBER:
        raise InputError(f"{name} is out of range, got {value}")
    number: Decimal | int = value
    return number


def _two_decimals(value: Decimal | int, name: str) -> int:
    """The number × 100 as an integer (øre, hundredths of hours or of a percent)."""
    try:
        return exact_hundredths(value)
    except ValueError:
        raise InputError(f"{name} must have at most two decimals, got {value}") from None


def _optional_money(raw: dict[str, Any], key: str, where: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    number = _number(value, f"{where}{key}")
    if number < 0:
        raise InputError(f"{where}{key} must not be negative, got {number}")
    return _two_decimals(number, f"{where}{key}")


def _parse_date(value: Any, name: str) -> date:
    if not isinstance(value, str) or _ISO_DATE.fullmatch(value) is None:
        raise InputError(f"{name} must be a date YYYY-MM-DD, got {_show(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} is not a valid date: {value}") from None


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


# -- output -------------------------------------------------------------------------------------


def render_quote(result: Quote) -> dict[str, Any]:
    """The CLI's JSON shape: parent fee only; food-money lines are left out."""
    children = {
        child.child_id: {
            "fee_nok": format_nok(child.fee_ore),
            "lines": [
                {
                    "rule": line.rule.id,
                    "amount_nok": format_nok(line.amount_ore),
                    "source": line.rule.source,
                }
                for line in child.lines
                if not line.rule.is_food
            ],
        }
        for child in result.children
    }
    return {"children": children, "total_nok": format_nok(result.total_ore)}
