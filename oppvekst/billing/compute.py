"""From the database to invoice lines: bulk reads, the pure engine, no per-child queries.

``load_inputs`` reads everything one municipality's run needs for a span of months in a
handful of queries (placements, children, guardians, decisions, rules, prices). The rest is
plain Python over those rows:

* per month, each child's kindergarten and SFO placement (the one covering most days of the
  month; a placement that covers any day bills the whole month);
* sibling groups, derived and never stored: children of the month who share a household key
  (same registered dwelling) or a guardian with parental responsibility they live with
  (norway.md § 2.3 "søsken som bor fast sammen", half-siblings in the same household included);
* the household's granted reduced-fee decision for the kindergarten year (never before its
  ``effective_from``, which is never before the application month);
* the payer: the guardian with parental responsibility registered at the child's address; with
  shared residence the amount is split by ``residence_share_percent`` (default 50/50);
* ``pricing.quote`` for each household, and one ``LineRow`` per engine line and payer.

``fingerprints`` hashes each child's inputs (and the inputs of its household) so that the next
run only recomputes locked months for the children whose inputs changed since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oppvekst.billing.engine.money import div_half_up
from oppvekst.billing.engine.pricing import KINDERGARTEN, SFO, Child, Household, quote
from oppvekst.billing.engine.rules import MissingRuleError, RuleBook, YearMonth
from oppvekst.billing.models import MunicipalPrice, ReductionApplication, ReductionStatus
from oppvekst.billing.rulebook import MissingZone, PriceTable, ZoneTable, rulebook_for
from oppvekst.core.models import Group, Owner, Unit
from oppvekst.daterange import DateRange
from oppvekst.people.models import Guardianship, Person
from oppvekst.placements.models import Placement

# Weekly hours when the placement does not say: a full-time kindergarten place is 41 hours or
# more (forskrift om foreldrebetaling § 1, norway.md § 1.6); an SFO place 20 hours.
DEFAULT_KG_HOURS = 41
DEFAULT_SFO_HOURS_X100 = 2000
SERVICES = (KINDERGARTEN, SFO)

Progress = Callable[[int], None]


def month_span(month: YearMonth) -> tuple[dt.date, dt.date]:
    return month.first_day, month.last_day


def add_months(month: YearMonth, count: int) -> YearMonth:
    index = month.year * 12 + month.month - 1 + count
    return YearMonth(index // 12, index % 12 + 1)


def kindergarten_year(month: YearMonth) -> int:
    """The kindergarten (and school) year runs August-July (norway.md § 2.4)."""
    return month.year if month.month >= 8 else month.year - 1


@dataclass(slots=True)
class PlacementRow:
    id: int
    child_id: int
    unit_id: int
    group_id: int | None
    service: str
    place_percent: int
    hours_x100: int | None
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(slots=True)
class GuardianRow:
    pk: int
    child_id: int
    guardian_id: int
    parental: bool
    resident: bool
    share: int
    valid_from: dt.date
    valid_to: dt.date | None
    household: str


@dataclass(slots=True)
class GrantRow:
    id: int
    year_start: int
    income_ore: int
    reduced_fee: bool
    free_core_hours: bool
    effective_from: dt.date
    decided_at: dt.datetime


@dataclass(slots=True)
class ChildRow:
    id: int
    birth_date: dt.date
    household: str


@dataclass(slots=True)
class LineRow:
    period: dt.date
    child_id: int
    payer_id: int | None
    unit_id: int | None
    placement_id: int | None
    service: str
    rule_id: str
    rule_table: str
    source: str
    amount_ore: int
    share_percent: int
    is_food: bool
    invoiced: bool
    confirmed: bool
    kind: str = "charge"


@dataclass
class Warnings:
    """Problems found while computing, counted by code with a few examples each."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, code: str, **details: Any) -> None:
        self.counts[code] = self.counts.get(code, 0) + 1
        examples = self.examples.setdefault(code, [])
        if len(examples) < 20:
            examples.append(details)

    def as_list(self) -> list[dict[str, Any]]:
        return [
            {"code": code, "count": count, "examples": self.examples.get(code, [])}
            for code, count in sorted(self.counts.items())
        ]


@dataclass
class Inputs:
    """Everything a run needs for the months ``first``..``last`` of one municipality."""

    municipality_id: int
    first: YearMonth
    last: YearMonth
    rules: RuleBook
    zones: ZoneTable
    prices: PriceTable
    private_units: set[int]
    group_grades: dict[int, int | None]
    children: dict[int, ChildRow]
    placements: dict[int, list[PlacementRow]]
    guardians: dict[int, list[GuardianRow]]
    grants: dict[int, list[GrantRow]]
    unconfirmed: set[str] = field(default_factory=set)
    warnings: Warnings = field(default_factory=Warnings)
    household_cache: dict[Any, list[list[int]]] = field(default_factory=dict)


def _hours_x100(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


def load_inputs(
    municipality_id: int,
    first: YearMonth,
    last: YearMonth,
    child_ids: Iterable[int] | None = None,
) -> Inputs:
    """Bulk reads for a span of months (one query per table, independent of the number of
    children). ``child_ids`` limits the reads to a few children (one household's page)."""
    start, end = first.first_day, last.last_day
    placements: dict[int, list[PlacementRow]] = defaultdict(list)
    group_ids: set[int] = set()
    unit_ids: set[int] = set()
    placement_rows = Placement.objects.filter(municipality_id=municipality_id, service__in=SERVICES)
    if child_ids is not None:
        placement_rows = placement_rows.filter(child_id__in=list(child_ids))
    placement_rows = placement_rows.overlapping(DateRange(start, end))
    for row in placement_rows.values_list(
        "id",
        "child_id",
        "unit_id",
        "group_id",
        "service",
        "place_percent",
        "weekly_hours",
        "valid_from",
        "valid_to",
    ).order_by():
        p = PlacementRow(*row[:6], _hours_x100(row[6]), row[7], row[8])
        placements[p.child_id].append(p)
        unit_ids.add(p.unit_id)
        if p.group_id is not None:
            group_ids.add(p.group_id)
    # The children and their guardians: one query each, joined on the placements (a subquery,
    # so the number of children never becomes query parameters).
    placed = placement_rows.values("child_id")
    children = {
        pk: ChildRow(pk, birth, key)
        for pk, birth, key in Person.objects.filter(pk__in=placed)
        .values_list("pk", "birth_date", "household_key")
        .order_by()
    }
    guardians: dict[int, list[GuardianRow]] = defaultdict(list)
    for guardian_row in (
        Guardianship.objects.overlapping(DateRange(start, end))
        .filter(child_id__in=placed)
        .values_list(
            "pk",
            "child_id",
            "guardian_id",
            "parental_responsibility",
            "resident",
            "residence_share_percent",
            "valid_from",
            "valid_to",
            "guardian__household_key",
        )
        .order_by()
    ):
        guardians[guardian_row[1]].append(GuardianRow(*guardian_row))
    grants: dict[int, list[GrantRow]] = defaultdict(list)
    applications = ReductionApplication.objects.filter(
        municipality_id=municipality_id,
        status=ReductionStatus.GRANTED,
        effective_from__lte=end,
        year_start__gte=kindergarten_year(first),
        year_start__lte=kindergarten_year(last),
    )
    grant_rows = {
        row[0]: GrantRow(*row)  # type: ignore[arg-type]  # granted: dates are set
        for row in applications.values_list(
            "pk",
            "year_start",
            "income_ore",
            "reduced_fee",
            "free_core_hours",
            "effective_from",
            "decided_at",
        ).order_by()
    }
    if grant_rows:
        through = ReductionApplication.children.through
        for app_id, child_id in through.objects.filter(
            reductionapplication_id__in=list(grant_rows)
        ).values_list("reductionapplication_id", "person_id"):
            grants[child_id].append(grant_rows[app_id])
    private_units = set(
        Unit.objects.filter(pk__in=unit_ids, owner=Owner.PRIVATE).values_list("pk", flat=True)
    )
    group_grades = dict(Group.objects.filter(pk__in=group_ids).values_list("pk", "grade"))
    return Inputs(
        municipality_id=municipality_id,
        first=first,
        last=last,
        rules=rulebook_for(municipality_id),
        zones=ZoneTable.load(municipality_id),
        prices=PriceTable.load(municipality_id),
        private_units=private_units,
        group_grades=group_grades,
        children=children,
        placements=dict(placements),
        guardians=dict(guardians),
        grants=dict(grants),
    )


# -- one month ---------------------------------------------------------------------------------


def pick_placement(
    placements: Iterable[PlacementRow], service: str, first: dt.date, last: dt.date
) -> PlacementRow | None:
    """The placement of ``service`` that covers most days of the month (ties: the later one)."""
    best: PlacementRow | None = None
    best_key: tuple[int, dt.date, int] | None = None
    for p in placements:
        if p.service != service:
            continue
        start = p.valid_from if p.valid_from > first else first
        end = last if p.valid_to is None or p.valid_to > last else p.valid_to
        if end < start:
            continue
        key = ((end - start).days, p.valid_from, p.id)
        if best_key is None or key > best_key:
            best, best_key = p, key
    return best


def _active(rows: Iterable[GuardianRow], first: dt.date, last: dt.date) -> list[GuardianRow]:
    latest: dict[int, GuardianRow] = {}
    for g in sorted(rows, key=lambda g: (g.valid_from, g.pk)):
        if g.valid_from <= last and (g.valid_to is None or g.valid_to >= first):
            latest[g.guardian_id] = g
    return list(latest.values())


def payers_for(
    guardians: Iterable[GuardianRow], child_household: str, first: dt.date, last: dt.date
) -> list[tuple[int, int]]:
    """[(guardian id, percent)] summing to 100, or [] when nobody can be billed.

    The payer is the guardian with parental responsibility the child lives with, registered at
    the child's address first. Guardians at one address pay as one household (one of them, the
    one at the child's address, is billed). Several addresses (shared residence, delt bosted)
    split by ``residence_share_percent``; shares that are all zero split evenly (50/50)."""
    active = _active(guardians, first, last)
    candidates = (
        [g for g in active if g.parental and g.resident]
        or [g for g in active if g.parental]
        or [g for g in active if g.resident]
    )
    if not candidates:
        return []
    candidates.sort(key=lambda g: (not g.household or g.household != child_household, g.pk))
    homes: dict[str, list[GuardianRow]] = {}
    for g in candidates:
        homes.setdefault(g.household or f"#{g.guardian_id}", []).append(g)
    heads = [(members[0].guardian_id, max(m.share for m in members)) for members in homes.values()]
    if len(heads) == 1:
        return [(heads[0][0], 100)]
    total = sum(share for _, share in heads)
    weights = [share for _, share in heads] if total > 0 else [1] * len(heads)
    total = sum(weights)
    percents = [w * 100 // total for w in weights]
    percents[0] += 100 - sum(percents)
    return [(gid, pct) for (gid, _), pct in zip(heads, percents, strict=True) if pct > 0]


def split_amount(amount: int, shares: list[tuple[int, int]]) -> list[int]:
    """``amount`` split by percent shares, half-up per part; the first part takes the rest so
    the parts always sum to the amount."""
    if len(shares) == 1:
        return [amount]
    rest = [div_half_up(amount * pct, 100) for _, pct in shares[1:]]
    return [amount - sum(rest), *rest]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        parent = self.parent
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def households(
    inputs: Inputs, child_ids: Iterable[int], first: dt.date, last: dt.date
) -> list[list[int]]:
    """Sibling groups among ``child_ids`` for the days ``first``..``last``: children sharing a
    household key or a guardian with parental responsibility they live with. Cached per set of
    children and days (the month's run and the fingerprints ask the same question)."""
    ids = sorted(child_ids)
    key = (first, last, hash(tuple(ids)), len(ids))
    cached = inputs.household_cache.get(key)
    if cached is not None:
        return cached
    uf = _UnionFind()
    for cid in ids:
        uf.find(("c", cid))
        child = inputs.children.get(cid)
        if child is not None and child.household:
            uf.union(("c", cid), ("h", child.household))
        for g in _active(inputs.guardians.get(cid, ()), first, last):
            if g.parental and g.resident:
                uf.union(("c", cid), ("g", g.guardian_id))
    groups: dict[Any, list[int]] = defaultdict(list)
    for cid in ids:
        groups[uf.find(("c", cid))].append(cid)
    result = list(groups.values())
    inputs.household_cache[key] = result
    return result


def _grant_for(inputs: Inputs, family: list[int], month: YearMonth) -> GrantRow | None:
    year, first = kindergarten_year(month), month.first_day
    best: GrantRow | None = None
    for cid in family:
        for g in inputs.grants.get(cid, ()):
            if (
                g.year_start == year
                and g.effective_from <= first
                and (best is None or (g.decided_at, g.id) > (best.decided_at, best.id))
            ):
                best = g
    return best


@dataclass(slots=True)
class _Priced:
    child_id: int
    placement: PlacementRow
    food: dict[str, Any] | None
    list_price: dict[str, Any] | None


def _sfo_grade(inputs: Inputs, p: PlacementRow, birth: dt.date, month: YearMonth) -> int:
    grade = inputs.group_grades.get(p.group_id) if p.group_id is not None else None
    if grade is None:
        # Grade from the birth year: 1st grade in the calendar year the child turns 6 (§ 4.1).
        grade = kindergarten_year(month) - birth.year - 5
    return grade


def compute_month(
    inputs: Inputs,
    month: YearMonth,
    child_ids: Iterable[int] | None = None,
    progress: Progress | None = None,
) -> list[LineRow]:
    """The lines of ``month`` for all children with a placement that month, or only for the
    households of ``child_ids``."""
    first, last = month_span(month)
    try:
        zone = inputs.zones.zone_for(month)
    except MissingZone as exc:
        raise MissingRuleError(f"the municipality has no price zone for {month}") from exc
    placed: dict[int, dict[str, PlacementRow]] = {}
    for cid, rows in inputs.placements.items():
        chosen = {}
        for service in SERVICES:
            p = pick_placement(rows, service, first, last)
            if p is not None:
                chosen[service] = p
        if chosen:
            placed[cid] = chosen
    families = households(inputs, placed, first, last)
    if child_ids is not None:
        wanted = set(child_ids)
        families = [f for f in families if wanted.intersection(f)]
    rules, prices = inputs.rules, inputs.prices
    out: list[LineRow] = []
    append = out.append
    done = reported = 0
    for family in families:
        engine_children: list[Child] = []
        priced: dict[str, _Priced] = {}
        for cid in family:
            child = inputs.children[cid]
            for service, p in placed[cid].items():
                engine_id = f"{cid}:{service[0]}"
                food = prices.find(MunicipalPrice.Kind.FOOD, service, "", p.unit_id, month)
                list_price = None
                if service == KINDERGARTEN:
                    hours = p.hours_x100 or DEFAULT_KG_HOURS * p.place_percent
                    food_ore = 0
                    if food is not None:
                        food_ore = div_half_up(food["monthly_ore"] * p.place_percent, 100)
                    engine_child = Child(
                        id=engine_id,
                        birth_date=child.birth_date,
                        service=KINDERGARTEN,
                        weekly_hours_x100=hours,
                        place_share_bp=p.place_percent * 100,
                        food_ore=food_ore,
                    )
                else:
                    grade = _sfo_grade(inputs, p, child.birth_date, month)
                    if not 1 <= grade <= 7:
                        inputs.warnings.add("sfo_grade", child=cid, unit=p.unit_id, grade=grade)
                        continue
                    place_type = "full" if p.place_percent >= 100 else "part"
                    list_price = prices.find(
                        MunicipalPrice.Kind.SFO_PLACE, SFO, place_type, p.unit_id, month
                    )
                    if list_price is None:
                        inputs.warnings.add(
                            "sfo_price", child=cid, unit=p.unit_id, place_type=place_type
                        )
                        continue
                    engine_child = Child(
                        id=engine_id,
                        birth_date=child.birth_date,
                        service=SFO,
                        weekly_hours_x100=p.hours_x100 or DEFAULT_SFO_HOURS_X100,
                        grade=grade,
                        list_price_ore=list_price["monthly_ore"],
                        food_ore=food["monthly_ore"] if food is not None else 0,
                    )
                engine_children.append(engine_child)
                priced[engine_id] = _Priced(cid, p, food, list_price)
        if not engine_children:
            continue
        grant = _grant_for(inputs, family, month)
        result = quote(
            Household(
                zone=zone,
                children=tuple(engine_children),
                income_ore=grant.income_ore if grant else None,
                reduced_fee_granted=bool(grant and grant.reduced_fee),
                free_core_hours_granted=bool(grant and grant.free_core_hours),
            ),
            month,
            rules,
        )
        for child_quote in result.children:
            info = priced[child_quote.child_id]
            cid, p = info.child_id, info.placement
            shares = payers_for(
                inputs.guardians.get(cid, ()), inputs.children[cid].household, first, last
            )
            if not shares:
                inputs.warnings.add("no_payer", child=cid, unit=p.unit_id)
                shares = [(0, 100)]
            invoiced = p.unit_id not in inputs.private_units
            for line in child_quote.lines:
                ref = line.rule
                confirmed = ref.confirmed
                if ref.is_food and info.food is not None:
                    confirmed = confirmed and info.food["confirmed"]
                elif ref.table == "sfo_list_price" and info.list_price is not None:
                    confirmed = confirmed and info.list_price["confirmed"]
                if not confirmed:
                    inputs.unconfirmed.add(ref.id)
                for (payer, pct), amount in zip(
                    shares, split_amount(line.amount_ore, shares), strict=True
                ):
                    append(
                        LineRow(
                            first,
                            cid,
                            payer or None,
                            p.unit_id,
                            p.id,
                            p.service,
                            ref.id,
                            ref.table,
                            ref.source,
                            amount,
                            pct,
                            ref.is_food,
                            invoiced,
                            confirmed,
                        )
                    )
        done += len(family)
        if progress is not None and done - reported >= 2000:
            progress(done)
            reported = done
    if progress is not None:
        progress(done)
    return out


# -- fingerprints ------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def fingerprints(inputs: Inputs, rules_hash: str) -> dict[int, str]:
    """For every child in ``inputs``: a hash of its own inputs over the whole span, of the
    inputs of every child it shares a household with in any month of the span, and of the
    rules. Equal fingerprints mean equal lines for every month of the span."""
    own: dict[int, str] = {}
    for cid, child in inputs.children.items():
        placements = sorted(
            (p.id, p.unit_id, p.group_id, p.service, p.place_percent, p.hours_x100,
             p.valid_from, p.valid_to)
            for p in inputs.placements.get(cid, ())
        )  # fmt: skip
        guardians = sorted(
            (g.guardian_id, g.parental, g.resident, g.share, g.valid_from, g.valid_to,
             g.household)
            for g in inputs.guardians.get(cid, ())
        )  # fmt: skip
        grants = sorted(
            (g.id, g.year_start, g.income_ore, g.reduced_fee, g.free_core_hours, g.effective_from)
            for g in inputs.grants.get(cid, ())
        )
        own[cid] = _digest(repr((child.birth_date, child.household, placements, guardians, grants)))
    start, end = inputs.first.first_day, inputs.last.last_day
    result: dict[int, str] = {}
    for family in households(inputs, inputs.children, start, end):
        digest = _digest(rules_hash + "|" + ",".join(own[c] for c in sorted(family)))
        for cid in family:
            result[cid] = digest
    return result


# -- the effect of a reduced-fee decision ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleEffect:
    """One rule's contribution to a child's monthly fee without and with the decision."""

    table: str
    before_ore: int
    after_ore: int


@dataclass(frozen=True, slots=True)
class ChildEffect:
    """A child's monthly parent fee for one service without and with the decision (food money
    left out: no reduction touches it, norway.md § 2.6)."""

    child_id: int
    service: str
    before_ore: int
    after_ore: int
    rules: tuple[RuleEffect, ...]


def _fees_by_rule(lines: Iterable[LineRow]) -> dict[tuple[int, str], dict[str, int]]:
    fees: dict[tuple[int, str], dict[str, int]] = {}
    for line in lines:
        if line.is_food:
            continue
        per_rule = fees.setdefault((line.child_id, line.service), {})
        per_rule[line.rule_table] = per_rule.get(line.rule_table, 0) + line.amount_ore
    return fees


def reduction_effect(
    *,
    municipality_id: int,
    child_ids: Iterable[int],
    month: YearMonth,
    income_ore: int,
    reduced_fee: bool,
    free_core_hours: bool,
) -> list[ChildEffect]:
    """Each child's monthly fee in ``month`` as it is today and as it would be with the
    decision granted: the same engine and inputs as the invoice run, with the grant added.
    Raises ``MissingRuleError`` / ``MissingZone`` when the month cannot be priced."""
    ids = list(child_ids)
    inputs = load_inputs(municipality_id, month, month, ids)
    before = _fees_by_rule(compute_month(inputs, month, ids))
    # The run takes the latest decided grant of the year (``_grant_for``); this one is newer
    # than any stored decision.
    grant = GrantRow(
        id=0,
        year_start=kindergarten_year(month),
        income_ore=income_ore,
        reduced_fee=reduced_fee,
        free_core_hours=free_core_hours,
        effective_from=month.first_day,
        decided_at=dt.datetime.max.replace(tzinfo=dt.UTC),
    )
    granted = dict(inputs.grants)
    for cid in ids:
        granted[cid] = [*granted.get(cid, []), grant]
    inputs.grants = granted
    after = _fees_by_rule(compute_month(inputs, month, ids))
    effects = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (ids.index(k[0]), k[1])):
        old, new = before.get(key, {}), after.get(key, {})
        tables = list(old) + [t for t in new if t not in old]
        effects.append(
            ChildEffect(
                child_id=key[0],
                service=key[1],
                before_ore=sum(old.values()),
                after_ore=sum(new.values()),
                rules=tuple(RuleEffect(t, old.get(t, 0), new.get(t, 0)) for t in tables),
            )
        )
    return effects
