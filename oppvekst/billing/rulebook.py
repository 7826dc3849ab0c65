"""The price rules of one municipality, from the database, as the pure engine's ``RuleBook``.

National rows (``RateRule.municipality`` empty) hold for everyone; a municipality's own rows of
a table replace the national rows of that table for the months they cover (the national row is
cut around them, month by month). The result is parsed and validated by ``rules.py``, the one
validator, so the database can never hold a rule the engine would read differently.

Also here: loading ``rates.json`` into ``RateRule`` rows (the data migration and
``oppvekst billing_load_rates``), the municipality's zone for a month, and the municipal prices
(SFO place types, food money) for a month.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from oppvekst.billing.engine.money import exact_hundredths
from oppvekst.billing.engine.rules import TABLE_NAMES, RuleBook, RulesError, YearMonth
from oppvekst.billing.models import MunicipalPrice, RateRule, RuleTable, ZonePeriod

_SERVICE_TABLES = {"billing_months", "food"}
_GRADE_TABLES = {"sfo_free_hours", "sfo_special_needs_free", "sfo_income_cap"}


class MissingZone(LookupError):
    """The municipality has no zone for the month."""


# -- rates.json → rows ---------------------------------------------------------------------


def rate_rule_values(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The ``RateRule`` column values for one ``rates.json`` row (money as øre, percentages and
    hours in hundredths)."""

    def hundredths(key: str) -> int | None:
        value = row.get(key)
        return None if value is None else exact_hundredths(str(value))

    values: dict[str, Any] = {
        "table": table,
        "rule_id": row["id"],
        "zone": row["zone"],
        "service": row.get("service") or "",
        "valid_from": dt.date.fromisoformat(row["valid_from"]),
        "valid_to": dt.date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None,
        "amount_ore": hundredths("monthly_nok") if table == "kindergarten_max_price" else None,
        "percent_bp": hundredths("income_percent") or hundredths("second_child_percent"),
        "third_percent_bp": hundredths("third_and_later_percent"),
        "hours_x100": hundredths("free_hours_per_week"),
        "min_age": row.get("min_age"),
        "max_age": row.get("max_age"),
        "grade_from": row.get("grade_from"),
        "grade_to": row.get("grade_to"),
        "unbilled_months": row.get("unbilled_months") or [],
        "annual_cap_months": row.get("annual_cap_months"),
        "method": row.get("method") or "",
        "source": row["source"],
        "confidence": row["confidence"],
        "confirmed": row["confirmed"],
        "note": row.get("note", ""),
    }
    if table == "kindergarten_free_core_hours":
        values["amount_ore"] = hundredths("income_threshold_nok")
    return values


def load_national_rates(model: Any, data: dict[str, Any]) -> tuple[int, int]:
    """Insert or update the national rows from ``data`` (the ``rates.json`` shape) by rule id.
    ``model`` is ``RateRule`` or its historical version in a migration. Returns (created,
    updated). Rows no longer in the file are kept: runs may have used them."""
    RuleBook.from_mapping(data)  # refuse a malformed file before touching the table
    existing = {r.rule_id: r for r in model.objects.filter(municipality__isnull=True)}
    created = updated = 0
    for table, rows in data["tables"].items():
        for row in rows:
            values = rate_rule_values(table, row)
            current = existing.get(values["rule_id"])
            if current is None:
                model.objects.create(municipality=None, **values)
                created += 1
            elif any(getattr(current, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(current, key, value)
                current.save()
                updated += 1
    return created, updated


# -- rows → RuleBook ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    start: dt.date
    end: dt.date | None


def _overlaps(a: _Span, b: _Span) -> bool:
    return (b.end is None or a.start <= b.end) and (a.end is None or b.start <= a.end)


def _cut(span: _Span, hole: _Span) -> list[_Span]:
    """``span`` without the days of ``hole`` (both month-aligned): zero, one or two spans."""
    if not _overlaps(span, hole):
        return [span]
    pieces = []
    if span.start < hole.start:
        pieces.append(_Span(span.start, hole.start - dt.timedelta(days=1)))
    if hole.end is not None and (span.end is None or hole.end < span.end):
        pieces.append(_Span(hole.end + dt.timedelta(days=1), span.end))
    return pieces


def _same_key(table: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    if "all" not in (a["zone"], b["zone"]) and a["zone"] != b["zone"]:
        return False
    if table in _SERVICE_TABLES and a.get("service") != b.get("service"):
        return False
    if table in _GRADE_TABLES:
        return not (a["grade_to"] < b["grade_from"] or b["grade_to"] < a["grade_from"])
    return True


def merge_rows(national: Sequence[RateRule], municipal: Sequence[RateRule]) -> dict[str, Any]:
    """The ``rates.json`` mapping for a municipality: its own rows, and the national rows cut
    around them where they cover the same table (and service, grades, zone) and months."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_NAMES}
    own: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_NAMES}
    for rule in municipal:
        own[rule.table].append(rule.as_rates_row())
    for rule in national:
        row = rule.as_rates_row()
        spans = [_Span(rule.valid_from, rule.valid_to)]
        for local in own[rule.table]:
            if not _same_key(rule.table, row, local):
                continue
            hole = _Span(
                dt.date.fromisoformat(local["valid_from"]),
                dt.date.fromisoformat(local["valid_to"]) if local["valid_to"] else None,
            )
            spans = [piece for span in spans for piece in _cut(span, hole)]
        for index, span in enumerate(spans):
            piece = dict(row)
            piece["valid_from"] = span.start.isoformat()
            piece["valid_to"] = span.end.isoformat() if span.end else None
            if index:
                piece["id"] = f"{row['id']}~{span.start:%Y-%m}"
            tables[rule.table].append(piece)
    for name in TABLE_NAMES:
        tables[name].extend(own[name])
    return {"tables": tables}


def _rule_rows(municipality_id: int) -> tuple[list[RateRule], list[RateRule]]:
    rows = list(
        RateRule.objects.filter(
            Q(municipality__isnull=True) | Q(municipality_id=municipality_id)
        ).order_by("table", "valid_from", "rule_id")
    )
    national = [r for r in rows if r.municipality_id is None]
    municipal = [r for r in rows if r.municipality_id is not None]
    return national, municipal


def rulebook_for(municipality_id: int) -> RuleBook:
    """The validated rule book of one municipality (one query)."""
    national, municipal = _rule_rows(municipality_id)
    return RuleBook.from_mapping(merge_rows(national, municipal))


def validate_rule_row(rule: RateRule) -> None:
    """Model validation: ``rule`` must parse and must not overlap rows of its table."""
    if rule.table not in RuleTable.values:
        raise ValidationError({"table": "unknown table"})
    others = RateRule.objects.filter(municipality=rule.municipality_id, table=rule.table).exclude(
        pk=rule.pk
    )
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_NAMES} | {
        rule.table: [r.as_rates_row() for r in others] + [rule.as_rates_row()]
    }
    try:
        RuleBook.from_mapping({"tables": rows})
    except (RulesError, TypeError, ValueError) as exc:
        raise ValidationError(str(exc)) from exc


def rules_fingerprint(municipality_id: int) -> str:
    """A hash of every rule, zone and municipal price row of the municipality: when it changes
    between two runs, every locked month in the correction window is recomputed."""
    national, municipal = _rule_rows(municipality_id)
    zones = ZonePeriod.objects.filter(municipality_id=municipality_id).values_list(
        "zone", "valid_from", "valid_to"
    )
    prices = MunicipalPrice.objects.filter(municipality_id=municipality_id).values_list(
        "kind", "service", "unit_id", "place_type", "monthly_ore", "valid_from", "valid_to"
    )
    text = json.dumps(
        [
            merge_rows(national, municipal),
            sorted(map(list, zones)),
            sorted(map(list, prices), key=str),
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


# -- zones and municipal prices ---------------------------------------------------------------


class ZoneTable:
    """The zone periods of one municipality."""

    def __init__(self, rows: Iterable[tuple[str, dt.date, dt.date | None]]) -> None:
        self.rows = sorted(rows, key=lambda r: r[1])

    @classmethod
    def load(cls, municipality_id: int) -> ZoneTable:
        return cls(
            ZonePeriod.objects.filter(municipality_id=municipality_id).values_list(
                "zone", "valid_from", "valid_to"
            )
        )

    def zone_for(self, month: YearMonth) -> str:
        day = month.first_day
        for zone, start, end in self.rows:
            if start <= day and (end is None or day <= end):
                return zone
        raise MissingZone(f"no zone for {month}")


class PriceTable:
    """Municipal prices of one municipality: SFO place types and food money by unit."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self._rows: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for row in rows:
            key = (row["kind"], row["service"], row["place_type"])
            self._rows.setdefault(key, []).append(row)
        self._cache: dict[tuple[str, str, str, int | None, YearMonth], dict[str, Any] | None] = {}

    @classmethod
    def load(cls, municipality_id: int) -> PriceTable:
        return cls(
            MunicipalPrice.objects.filter(municipality_id=municipality_id).values(
                "id",
                "kind",
                "service",
                "place_type",
                "unit_id",
                "monthly_ore",
                "valid_from",
                "valid_to",
                "confirmed",
            )
        )

    def find(
        self, kind: str, service: str, place_type: str, unit_id: int | None, month: YearMonth
    ) -> dict[str, Any] | None:
        """The unit's own row for the month, else the municipality-wide row, else None."""
        key = (kind, service, place_type, unit_id, month)
        if key in self._cache:
            return self._cache[key]
        day = month.first_day
        best = None
        for row in self._rows.get((kind, service, place_type), ()):
            if row["valid_from"] <= day and (row["valid_to"] is None or day <= row["valid_to"]):
                if row["unit_id"] == unit_id:
                    best = row
                    break
                if row["unit_id"] is None:
                    best = row
        self._cache[key] = best
        return best
