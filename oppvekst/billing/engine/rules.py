"""Dated national price-rule tables for the parent-fee engine: loading, validation, month lookup.

The rules are DATA (``rates.json`` next to this file, or the same shape built by the Django side
from its database); this module only parses them into integer form and answers "which rows hold
in month M for zone Z". ``RuleBook.month_rules`` caches that answer per (month, zone), so the
engine in ``pricing.py`` never searches tables or parses numbers in its hot loop.

Pure module: standard library only (no Django), see CONTRIBUTING.md.

Table shape (every row): ``id`` (unique), ``valid_from`` (first day of a month), ``valid_to``
(last day of a month, inclusive, or null = open), ``zone`` (``standard``, ``sentralitet_5_6``,
``tiltakssone`` or ``all``), ``source`` (legal reference), ``confidence`` (``B`` confirmed,
``U`` derived, ``?`` not confirmed, as in norway.md) and ``confirmed`` (false exactly for ``?``).
Prices are monthly, so rows must start and end on month boundaries; within a table no two rows
may hold for the same zone (and service/grade) in the same month.
"""

from __future__ import annotations

import calendar
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any, Final, NamedTuple

from oppvekst.billing.engine.money import div_half_up

ZONES: Final = ("standard", "sentralitet_5_6", "tiltakssone")
ALL_ZONES: Final = "all"
KINDERGARTEN: Final = "kindergarten"
SFO: Final = "sfo"
SERVICES: Final = (KINDERGARTEN, SFO)
# SFO is for 1st-4th grade, and 1st-7th grade for pupils with special needs (opplæringslova § 4-5,
# norway.md § 3). This is the scope of the service, not a price rule.
SFO_GRADES: Final = range(1, 8)

FULL_PLACE_BP: Final = 10_000  # place share in basis points: 10 000 = a 100 % place
HOURS_SCALE: Final = 100  # weekly hours are held as hundredths of an hour

CONFIDENCE_LEVELS: Final = ("B", "U", "?")

TABLE_NAMES: Final = (
    "kindergarten_max_price",
    "kindergarten_part_time",
    "kindergarten_sibling_discount",
    "kindergarten_income_cap",
    "kindergarten_free_core_hours",
    "billing_months",
    "food",
    "sfo_list_price",
    "sfo_free_hours",
    "sfo_special_needs_free",
    "sfo_income_cap",
)
_SERVICE_TABLES: Final = frozenset({"billing_months", "food"})
_GRADE_TABLES: Final = frozenset({"sfo_free_hours", "sfo_special_needs_free", "sfo_income_cap"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class RulesError(ValueError):
    """The rule tables are malformed or contradict themselves."""


class MissingRuleError(LookupError):
    """No rule row holds for the month and zone that is being priced."""


@dataclass(frozen=True, slots=True)
class RuleRef:
    """The identity of one rule row, carried on every quote line."""

    id: str
    table: str
    source: str
    confirmed: bool
    confidence: str
    note: str = ""
    is_food: bool = False  # kost: charged on top, never part of the parent fee


class Line(NamedTuple):
    """One quote line: the rule row behind it and its amount in øre (negative = reduction)."""

    rule: RuleRef
    amount_ore: int


class YearMonth(NamedTuple):
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        """``"2025-09"`` → ``YearMonth(2025, 9)``; anything else raises ``ValueError``."""
        if not isinstance(text, str) or re.fullmatch(r"\d{4}-\d{2}", text) is None:
            raise ValueError(f"month must look like YYYY-MM, got {text!r}")
        year, month = int(text[:4]), int(text[5:])
        if not 1 <= month <= 12 or year < 1:
            raise ValueError(f"month must look like YYYY-MM, got {text!r}")
        return cls(year, month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class _Row:
    ref: RuleRef
    valid_from: date
    valid_to: date | None
    zone: str
    service: str | None = None
    grades: range | None = None
    amount_ore: int = 0  # max price, income threshold
    percent_num: int = 0  # a percentage as the exact fraction num/den of 1
    percent_den: int = 1
    second_keep_bp: int = FULL_PLACE_BP  # sibling: share of the price still paid
    third_keep_bp: int = FULL_PLACE_BP
    hours_x100: int = 0
    min_age: int = 0
    max_age: int = 0
    unbilled_months: frozenset[int] = field(default_factory=frozenset)
    annual_cap_months: int = 11

    def holds(self, day: date, zone: str) -> bool:
        return (
            self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
            and self.zone in (zone, ALL_ZONES)
        )


class MonthRules:
    """Everything the engine needs for one (month, zone), resolved once and reused.

    Money is integer øre; percentages are exact integer fractions; hours are hundredths.
    Missing optional rules are ``None`` (the reduction is then not applied); a missing required
    rule (maximum price, billing months) raises ``MissingRuleError`` when it is first needed.
    """

    __slots__ = (
        "kg_billed",
        "kg_core_free_x100",
        "kg_core_max_age",
        "kg_core_min_age",
        "kg_core_rule",
        "kg_core_threshold_ore",
        "kg_error",
        "kg_food_rule",
        "kg_income_den",
        "kg_income_limit",
        "kg_income_num",
        "kg_income_rule",
        "kg_max_den",
        "kg_max_line",
        "kg_max_num",
        "kg_not_billed",
        "kg_part_rule",
        "kg_sib_rule",
        "kg_sib_second_keep_bp",
        "kg_sib_third_keep_bp",
        "kg_year_start",
        "month",
        "sfo_billed",
        "sfo_error",
        "sfo_food_rule",
        "sfo_free",
        "sfo_income",
        "sfo_list_rule",
        "sfo_not_billed",
        "sfo_special",
        "zone",
    )

    month: YearMonth
    zone: str
    kg_year_start: int
    kg_error: str | None
    kg_billed: bool
    kg_not_billed: Line | None
    kg_max_line: Line | None
    kg_max_num: int
    kg_max_den: int
    kg_part_rule: RuleRef | None
    kg_income_rule: RuleRef | None
    kg_income_num: int
    kg_income_limit: int
    kg_income_den: int
    kg_core_rule: RuleRef | None
    kg_core_threshold_ore: int
    kg_core_free_x100: int
    kg_core_min_age: int
    kg_core_max_age: int
    kg_sib_rule: RuleRef | None
    kg_sib_second_keep_bp: int
    kg_sib_third_keep_bp: int
    kg_food_rule: RuleRef | None
    sfo_error: str | None
    sfo_billed: bool
    sfo_not_billed: Line | None
    sfo_list_rule: RuleRef | None
    sfo_free: dict[int, tuple[int, RuleRef]]
    sfo_special: dict[int, RuleRef]
    sfo_income: dict[int, tuple[int, int, RuleRef]]
    sfo_food_rule: RuleRef | None


class RuleBook:
    """Validated rule tables with a per-(month, zone) cache of resolved ``MonthRules``."""

    def __init__(self, tables: Mapping[str, tuple[_Row, ...]]) -> None:
        self._tables = dict(tables)
        self._cache: dict[tuple[YearMonth, str], MonthRules] = {}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RuleBook:
        """Build from the ``rates.json`` shape: ``{"tables": {name: [row, ...], ...}}``."""
        return cls(_parse_tables(data))

    def rows(self, table: str) -> tuple[RuleRef, ...]:
        """The rule rows of one table (for listing and for loading into the database)."""
        return tuple(row.ref for row in self._tables[table])

    def month_rules(self, month: YearMonth, zone: str) -> MonthRules:
        key = (month, zone)
        cached = self._cache.get(key)
        if cached is None:
            if zone not in ZONES:
                raise ValueError(f"unknown zone {zone!r}; expected one of {', '.join(ZONES)}")
            cached = self._cache[key] = self._resolve(YearMonth(*month), zone)
        return cached

    # -- resolution -------------------------------------------------------------------------

    def _holding(self, table: str, day: date, zone: str) -> list[_Row]:
        return [row for row in self._tables[table] if row.holds(day, zone)]

    def _one(self, table: str, day: date, zone: str, service: str | None = None) -> _Row | None:
        rows = [
            r for r in self._holding(table, day, zone) if service is None or r.service == service
        ]
        return rows[0] if rows else None  # validation guarantees at most one

    def _resolve(self, month: YearMonth, zone: str) -> MonthRules:
        day = month.first_day
        mr = MonthRules()
        mr.month = month
        mr.zone = zone
        # Kindergarten year runs from August (norway.md § 7.2: starts 1 or 15 August).
        mr.kg_year_start = month.year if month.month >= 8 else month.year - 1
        self._resolve_kindergarten(mr, day, zone)
        self._resolve_sfo(mr, day, zone)
        return mr

    def _resolve_kindergarten(self, mr: MonthRules, day: date, zone: str) -> None:
        mr.kg_error = None
        mr.kg_billed = False
        mr.kg_not_billed = None
        mr.kg_max_line = None
        mr.kg_max_num, mr.kg_max_den = 0, 1
        mr.kg_income_rule = None
        mr.kg_income_num, mr.kg_income_limit, mr.kg_income_den = 0, 0, 1
        billing = self._one("billing_months", day, zone, KINDERGARTEN)
        max_row = self._one("kindergarten_max_price", day, zone)
        if billing is None:
            mr.kg_error = f"no billing_months row for kindergarten in {mr.month}"
        elif max_row is None:
            mr.kg_error = f"no kindergarten_max_price row for zone {zone} in {mr.month}"
        else:
            mr.kg_billed = mr.month.month not in billing.unbilled_months
            mr.kg_not_billed = Line(billing.ref, 0)
            # § 1 with KD's merknader: the annual cap is 11 monthly caps (annual_cap_months),
            # spread over the billed months (11 by default, so a billed month costs the cap).
            billed = 12 - len(billing.unbilled_months)
            annual = billing.annual_cap_months
            mr.kg_max_num = max_row.amount_ore * annual
            mr.kg_max_den = billed * FULL_PLACE_BP
            mr.kg_max_line = Line(max_row.ref, div_half_up(mr.kg_max_num, billed))
            income = self._one("kindergarten_income_cap", day, zone)
            if income is not None:
                # § 3 / norway.md § 2.4: the price is capped iff income * 6 % < 11 * max price,
                # i.e. income below max * 11 / 0.06 (the derived threshold, e.g. 220 000 in 2025).
                mr.kg_income_rule = income.ref
                mr.kg_income_num = income.percent_num
                mr.kg_income_limit = max_row.amount_ore * annual * income.percent_den
                mr.kg_income_den = income.percent_den * billed * FULL_PLACE_BP
        part = self._one("kindergarten_part_time", day, zone)
        mr.kg_part_rule = None if part is None else part.ref
        core = self._one("kindergarten_free_core_hours", day, zone)
        mr.kg_core_rule = None if core is None else core.ref
        mr.kg_core_threshold_ore = 0 if core is None else core.amount_ore
        mr.kg_core_free_x100 = 0 if core is None else core.hours_x100
        mr.kg_core_min_age = 0 if core is None else core.min_age
        mr.kg_core_max_age = -1 if core is None else core.max_age
        sib = self._one("kindergarten_sibling_discount", day, zone)
        mr.kg_sib_rule = None if sib is None else sib.ref
        mr.kg_sib_second_keep_bp = FULL_PLACE_BP if sib is None else sib.second_keep_bp
        mr.kg_sib_third_keep_bp = FULL_PLACE_BP if sib is None else sib.third_keep_bp
        food = self._one("food", day, zone, KINDERGARTEN)
        mr.kg_food_rule = None if food is None else food.ref

    def _resolve_sfo(self, mr: MonthRules, day: date, zone: str) -> None:
        mr.sfo_error = None
        mr.sfo_not_billed = None
        billing = self._one("billing_months", day, zone, SFO)
        listed = self._one("sfo_list_price", day, zone)
        mr.sfo_list_rule = None if listed is None else listed.ref
        mr.sfo_free, mr.sfo_special, mr.sfo_income = {}, {}, {}
        if billing is None or listed is None:
            table = "billing_months (sfo)" if billing is None else "sfo_list_price"
            mr.sfo_error = f"no {table} row in {mr.month}"
            mr.sfo_billed = False
        else:
            mr.sfo_billed = mr.month.month not in billing.unbilled_months
            mr.sfo_not_billed = Line(billing.ref, 0)
            billed = 12 - len(billing.unbilled_months)
            for row in self._holding("sfo_income_cap", day, zone):
                # 6 % of the household's annual income, spread over the billed months.
                for grade in row.grades or ():
                    den = row.percent_den * billed
                    mr.sfo_income[grade] = (row.percent_num, den, row.ref)
        for row in self._holding("sfo_free_hours", day, zone):
            for grade in row.grades or ():
                mr.sfo_free[grade] = (row.hours_x100, row.ref)
        for row in self._holding("sfo_special_needs_free", day, zone):
            for grade in row.grades or ():
                mr.sfo_special[grade] = row.ref
        food = self._one("food", day, zone, SFO)
        mr.sfo_food_rule = None if food is None else food.ref


# -- loading ------------------------------------------------------------------------------------


def default_rules_data() -> dict[str, Any]:
    """The bundled national tables (``rates.json``) as plain data, e.g. for a database loader."""
    text = (
        resources.files("oppvekst.billing.engine")
        .joinpath("rates.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    """The bundled national tables, parsed and validated once per process."""
    return RuleBook.from_mapping(default_rules_data())


# -- parsing and validation ---------------------------------------------------------------------


def _parse_tables(data: Mapping[str, Any]) -> dict[str, tuple[_Row, ...]]:
    if not isinstance(data, Mapping) or not isinstance(data.get("tables"), Mapping):
        raise RulesError("rule data must be an object with a 'tables' object")
    tables: Mapping[str, Any] = data["tables"]
    unknown = sorted(set(tables) - set(TABLE_NAMES))
    if unknown:
        raise RulesError(f"unknown rule tables: {', '.join(unknown)}")
    missing = [name for name in TABLE_NAMES if name not in tables]
    if missing:
        raise RulesError(f"missing rule tables: {', '.join(missing)}")
    seen_ids: set[str] = set()
    parsed: dict[str, tuple[_Row, ...]] = {}
    for name in TABLE_NAMES:
        rows = tables[name]
        if not isinstance(rows, list):
            raise RulesError(f"{name}: must be a list of rows")
        parsed_rows = []
        for index, raw in enumerate(rows):
            where = f"{name}[{index}]"
            if not isinstance(raw, Mapping):
                raise RulesError(f"{where}: must be an object")
            row = _parse_row(name, raw, where)
            if row.ref.id in seen_ids:
                raise RulesError(f"{where}: duplicate rule id {row.ref.id!r}")
            seen_ids.add(row.ref.id)
            parsed_rows.append(row)
        _check_no_overlap(name, parsed_rows)
        parsed[name] = tuple(parsed_rows)
    return parsed


def _parse_row(table: str, raw: Mapping[str, Any], where: str) -> _Row:
    rule_id = _str(raw, "id", where)
    source = _str(raw, "source", where)
    confidence = raw.get("confidence")
    if confidence not in CONFIDENCE_LEVELS:
        raise RulesError(f"{where}: confidence must be one of B, U, ?")
    confirmed = raw.get("confirmed")
    if not isinstance(confirmed, bool):
        raise RulesError(f"{where}: confirmed must be true or false")
    if confirmed != (confidence != "?"):
        raise RulesError(f"{where}: confirmed must be false exactly when confidence is '?'")
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise RulesError(f"{where}: note must be a string")
    valid_from = _date(raw, "valid_from", where)
    if valid_from.day != 1:
        raise RulesError(f"{where}: valid_from must be the first day of a month")
    valid_to = None if raw.get("valid_to") is None else _date(raw, "valid_to", where)
    if valid_to is not None:
        if valid_to < valid_from:
            raise RulesError(f"{where}: valid_to is before valid_from")
        if valid_to.day != calendar.monthrange(valid_to.year, valid_to.month)[1]:
            raise RulesError(f"{where}: valid_to must be the last day of a month")
    zone = raw.get("zone")
    if zone != ALL_ZONES and zone not in ZONES:
        raise RulesError(f"{where}: zone must be 'all' or one of {', '.join(ZONES)}")
    service = None
    if table in _SERVICE_TABLES:
        service = raw.get("service")
        if service not in SERVICES:
            raise RulesError(f"{where}: service must be one of {', '.join(SERVICES)}")
    ref = RuleRef(
        id=rule_id,
        table=table,
        source=source,
        confirmed=confirmed,
        confidence=confidence,
        note=note,
        is_food=table == "food",
    )
    values: dict[str, Any] = {}
    if table in _GRADE_TABLES:
        low, high = _int(raw, "grade_from", where), _int(raw, "grade_to", where)
        if not (SFO_GRADES.start <= low <= high < SFO_GRADES.stop):
            raise RulesError(f"{where}: grades must satisfy 1 <= grade_from <= grade_to <= 7")
        values["grades"] = range(low, high + 1)
    if table == "kindergarten_max_price":
        values["amount_ore"] = _amount_ore(raw, "monthly_nok", where)
    elif table == "kindergarten_part_time":
        if raw.get("method") != "proportional":
            raise RulesError(f"{where}: method must be 'proportional'")
    elif table == "kindergarten_sibling_discount":
        values["second_keep_bp"] = FULL_PLACE_BP - _percent_bp(raw, "second_child_percent", where)
        values["third_keep_bp"] = FULL_PLACE_BP - _percent_bp(raw, "third_and_later_percent", where)
    elif table in ("kindergarten_income_cap", "sfo_income_cap"):
        ratio = _decimal(raw, "income_percent", where) / 100
        if not 0 < ratio <= 1:
            raise RulesError(f"{where}: income_percent must be above 0 and at most 100")
        values["percent_num"], values["percent_den"] = ratio.as_integer_ratio()
    elif table == "kindergarten_free_core_hours":
        values["hours_x100"] = _hours_x100(raw, "free_hours_per_week", where)
        values["min_age"] = _int(raw, "min_age", where)
        values["max_age"] = _int(raw, "max_age", where)
        if not 0 <= values["min_age"] <= values["max_age"]:
            raise RulesError(f"{where}: ages must satisfy 0 <= min_age <= max_age")
        values["amount_ore"] = _amount_ore(raw, "income_threshold_nok", where)
    elif table == "billing_months":
        months = raw.get("unbilled_months")
        if (
            not isinstance(months, list)
            or any(
                isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 12 for m in months
            )
            or len(set(months)) != len(months)
            or len(months) >= 12
        ):
            raise RulesError(f"{where}: unbilled_months must be distinct months 1-12, not all 12")
        values["unbilled_months"] = frozenset(months)
        values["annual_cap_months"] = _int(raw, "annual_cap_months", where)
        if not 1 <= values["annual_cap_months"] <= 12:
            raise RulesError(f"{where}: annual_cap_months must be 1-12")
    elif table == "sfo_free_hours":
        values["hours_x100"] = _hours_x100(raw, "free_hours_per_week", where)
        if raw.get("method") != "proportional_to_hours":
            raise RulesError(f"{where}: method must be 'proportional_to_hours'")
    return _Row(
        ref=ref, valid_from=valid_from, valid_to=valid_to, zone=zone, service=service, **values
    )


def _check_no_overlap(table: str, rows: Iterable[_Row]) -> None:
    rows = list(rows)
    services: tuple[str | None, ...] = SERVICES if table in _SERVICE_TABLES else (None,)
    grades: Iterable[int | None] = SFO_GRADES if table in _GRADE_TABLES else (None,)
    for zone in ZONES:
        for service in services:
            for grade in grades:
                group = sorted(
                    (
                        r
                        for r in rows
                        if r.zone in (zone, ALL_ZONES)
                        and r.service == service
                        and (grade is None or (r.grades is not None and grade in r.grades))
                    ),
                    key=lambda r: r.valid_from,
                )
                for before, after in itertools.pairwise(group):
                    if before.valid_to is None or after.valid_from <= before.valid_to:
                        raise RulesError(
                            f"{table}: rows {before.ref.id!r} and {after.ref.id!r} overlap"
                            f" for zone {zone}"
                        )


def _str(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RulesError(f"{where}: {key} must be a non-empty string")
    return value


def _int(raw: Mapping[str, Any], key: str, where: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesError(f"{where}: {key} must be an integer")
    return value


def _date(raw: Mapping[str, Any], key: str, where: str) -> date:
    value = raw.get(key)
    if not isinstance(value, str) or _ISO_DATE.fullmatch(value) is None:
        raise RulesError(f"{where}: {key} must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RulesError(f"{where}: {key} is not a valid date: {value}") from None


def _decimal(raw: Mapping[str, Any], key: str, where: str) -> Decimal:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RulesError(f"{where}: {key} must be a decimal string")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RulesError(f"{where}: {key} must be a decimal string") from None
    if not number.is_finite() or number < 0:
        raise RulesError(f"{where}: {key} must be a non-negative number")
    return number


def _scaled(raw: Mapping[str, Any], key: str, where: str, scale: int) -> int:
    number = _decimal(raw, key, where) * scale
    if number != number.to_integral_value():
        raise RulesError(f"{where}: {key} has too many decimals")
    return int(number)


def _amount_ore(raw: Mapping[str, Any], key: str, where: str) -> int:
    return _scaled(raw, key, where, 100)


def _hours_x100(raw: Mapping[str, Any], key: str, where: str) -> int:
    return _scaled(raw, key, where, HOURS_SCALE)


def _percent_bp(raw: Mapping[str, Any], key: str, where: str) -> int:
    bp = _scaled(raw, key, where, 100)
    if bp > FULL_PLACE_BP:
        raise RulesError(f"{where}: {key} must be at most 100")
    return bp
