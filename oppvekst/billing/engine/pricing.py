"""Pure parent-fee engine: household + month + rule tables → fee lines per child.

No Django (CONTRIBUTING.md). The rules come in as a ``RuleBook`` (``rules.py``): the bundled
national tables from ``rates.json`` via ``default_rules()``, or tables the Django side loads from
its database. Each line names the rule row that produced it, its amount and its legal source.

Money is integer øre inside; every step rounds the price the parent pays half-up to the øre and
emits the change as a line, so a child's lines always sum to its fee. ``money.py`` converts at
the edges. The hot path does no table search and no ``Decimal`` work: ``RuleBook.month_rules``
resolves each (month, zone) once.

Kindergarten (forskrift om foreldrebetaling i barnehager, FOR-2005-12-16-1478), per child, in
this order:

1. Maximum price for the municipality's zone and the month (§ 1; norway.md § 2.2), spread over
   the billed months (annual cap = 11 monthly caps; July unbilled by default, § 2.6).
2. Part-time place: the price in proportion to the place share (§ 2; norway.md § 1.6/2.1).
3. Income cap when a reduced fee is granted (``Household.reduced_fee_granted``): a full-time
   place costs at most 6 % of household income per year, i.e. ``min(max price, income * 6 % /
   11)`` a month, times the place share (§ 3; norway.md § 2.4).
4. Free core hours (gratis kjernetid) when they are granted (``Household.free_core_hours_granted``),
   household income is below the threshold and the child is 2-5 (or has delayed school start):
   ``price * max(0, hours - 20) / hours`` (§ 3; norway.md § 2.5). Hægebostad [B]: the core-time
   reduction is computed on the income-graded price, so step 3 comes before step 4.

   The two are separate grants (decided by the project lead for the quote contract): a household
   applies for each on its own, and a granted reduced fee alone gives only the 6 % cap. So the
   issue's example (income 450 000, reduced fee granted, a 4-year-old in a 45 h place, Sep 2025)
   pays 1 200.00: 6 % of 450 000 / 11 = 2 454.55 is above the maximum price, and free core hours
   were not granted. With ``free_core_hours_granted`` as well it would pay 1 200 * 25 / 45.
5. Sibling discount (§ 3; norway.md § 2.3) on the price left after steps 3-4. norway.md § 2.5
   lists the order as open ([?]) and § 8 point 6 as a point to verify. We apply it last because
   (a) it reproduces the worked example (Tusenbein 1 Aug 2025: 1 200 / 2 040 / 2 040), which any
   order does when no income reduction applies, and (b) § 3 computes the discount "from the
   payment" the child actually owes, so the reductions that depend on the household's income
   come first. Within the group the child with the highest price after steps 1-4 pays in full
   (ties: oldest first, then input order), the next gets the second-child discount (30 %), the
   rest the third-and-later discount (50 % until 31 Jul 2023, free from 1 Aug 2023). Only
   kindergarten children form the group: SFO has no national sibling discount (§ 2.3).

SFO (opplæringslova § 4-5; norway.md § 3), per child: the municipality's list price; grades
5-7 (special needs) free from Aug 2020; the 12 free hours for the grades and dates in the table,
in proportion to weekly hours; then, when granted, the 6 % income cap for grades 1-4 on what is
left to pay. norway.md § 3 states the rule as a ceiling ("no household pays more than 6 % of
income for an SFO place"), so it can only lower a bill that is above 6 % of income a month. The
Svelvik order noted there (free hours after the income reduction) would scale a capped price
down once more and cut the bill of a household that already pays less than 6 % (income
450 000: 6 % / 11 = 2 454.55 a month against a 1 200.00 bill after the free hours), which the
ceiling does not grant.

Food money (kost) is optional input per child, emitted as a separate line flagged
``rule.is_food`` that no discount touches (§ 1; norway.md § 2.6), and kept out of ``fee_ore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final, NamedTuple

from oppvekst.billing.engine.money import exact_hundredths, exact_ore
from oppvekst.billing.engine.rules import (
    FULL_PLACE_BP,
    HOURS_SCALE,
    KINDERGARTEN,
    SERVICES,
    SFO,
    SFO_GRADES,
    ZONES,
    Line,
    MissingRuleError,
    RuleBook,
    RuleRef,
    YearMonth,
    default_rules,
)

__all__ = [
    "KINDERGARTEN",
    "SFO",
    "Child",
    "ChildQuote",
    "Household",
    "Line",
    "MissingRuleError",
    "Quote",
    "RuleBook",
    "RuleRef",
    "YearMonth",
    "default_rules",
    "quote",
]

_MAX_WEEKLY_HOURS_X100: Final = 168 * HOURS_SCALE


class ChildQuote(NamedTuple):
    child_id: str
    fee_ore: int  # parent fee only; food money is in food_ore
    lines: tuple[Line, ...]
    food_ore: int = 0

    @property
    def confirmed(self) -> bool:
        """True when every rule row behind the lines is confirmed in the domain file."""
        return all(line.rule.confirmed for line in self.lines)


class Quote(NamedTuple):
    month: YearMonth
    children: tuple[ChildQuote, ...]  # in the household's order
    total_ore: int  # sum of the parent fees, without food money
    food_total_ore: int = 0


@dataclass(frozen=True, slots=True)
class Child:
    """One child of the household as the engine sees it (all numbers already integral).

    ``place_share_bp``: place share in basis points (10 000 = a 100 % place; kindergarten only).
    ``weekly_hours_x100``: agreed weekly hours in hundredths (4 500 = 45 h).
    ``grade`` and ``list_price_ore`` are required for SFO. ``food_ore`` is kost for the month.
    """

    id: str
    birth_date: date
    service: str
    weekly_hours_x100: int
    place_share_bp: int = FULL_PLACE_BP
    grade: int | None = None
    list_price_ore: int | None = None
    delayed_school_start: bool = False
    food_ore: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("child id must be a non-empty string")
        if self.service not in SERVICES:
            raise ValueError(f"child {self.id}: unknown service {self.service!r}")
        if not 0 < self.weekly_hours_x100 <= _MAX_WEEKLY_HOURS_X100:
            raise ValueError(f"child {self.id}: weekly hours must be above 0 and at most 168")
        if not 0 < self.place_share_bp <= FULL_PLACE_BP:
            raise ValueError(f"child {self.id}: place share must be above 0 % and at most 100 %")
        if self.food_ore < 0:
            raise ValueError(f"child {self.id}: food money must not be negative")
        if self.service == SFO:
            if self.grade is None or self.grade not in SFO_GRADES:
                raise ValueError(f"child {self.id}: SFO needs a grade from 1 to 7")
            if self.list_price_ore is None or self.list_price_ore < 0:
                raise ValueError(f"child {self.id}: SFO needs a list price of 0 or more")

    @classmethod
    def create(
        cls,
        *,
        id: str,
        birth_date: date,
        service: str,
        weekly_hours: Decimal | int | str,
        place_percent: Decimal | int | str = 100,
        grade: int | None = None,
        list_price_nok: Decimal | int | str | None = None,
        delayed_school_start: bool = False,
        food_nok: Decimal | int | str = 0,
    ) -> Child:
        """Build from human units (percent, hours, kroner; at most two decimals each)."""
        return cls(
            id=id,
            birth_date=birth_date,
            service=service,
            weekly_hours_x100=exact_hundredths(weekly_hours),
            place_share_bp=exact_hundredths(place_percent),
            grade=grade,
            list_price_ore=None if list_price_nok is None else exact_ore(list_price_nok),
            delayed_school_start=delayed_school_start,
            food_ore=exact_ore(food_nok),
        )


@dataclass(frozen=True, slots=True)
class Household:
    """The children who live together permanently (norway.md § 2.3) and the household's income.

    ``income_ore``: combined personinntekt and taxable kapitalinntekt per year (§ 2.4).
    ``reduced_fee_granted``: the municipality's decision on income-graded payment, the 6 % cap
    (kindergarten and SFO grades 1-4; granted per kindergarten year on application).
    ``free_core_hours_granted``: the separate decision on free core hours (gratis kjernetid,
    kindergarten only), still subject to the age rule and the income threshold.
    Either grant needs ``income_ore``.
    """

    zone: str
    children: tuple[Child, ...]
    income_ore: int | None = None
    reduced_fee_granted: bool = False
    free_core_hours_granted: bool = False

    def __post_init__(self) -> None:
        if self.zone not in ZONES:
            raise ValueError(f"unknown zone {self.zone!r}; expected one of {', '.join(ZONES)}")
        if self.income_ore is not None and self.income_ore < 0:
            raise ValueError("household income must not be negative")
        if self.reduced_fee_granted and self.income_ore is None:
            raise ValueError("a granted reduction needs the household income")
        if self.free_core_hours_granted and self.income_ore is None:
            raise ValueError("granted free core hours need the household income")
        ids = [child.id for child in self.children]
        if len(set(ids)) != len(ids):
            raise ValueError("child ids must be unique within the household")


_new_tuple = tuple.__new__


def quote(household: Household, month: YearMonth, rules: RuleBook | None = None) -> Quote:
    """The parent fee of each child of ``household`` for ``month``, line by line."""
    mr = (rules or default_rules()).month_rules(month, household.zone)
    children = household.children
    results: list[ChildQuote | None] = [None] * len(children)
    granted = household.reduced_fee_granted
    core_granted = household.free_core_hours_granted
    income = household.income_ore or 0
    kindergarten: list[tuple[int, date, int, list[Line]]] = []
    total = food_total = 0

    for index, child in enumerate(children):
        if child.service == KINDERGARTEN:
            if mr.kg_error is not None:
                raise MissingRuleError(mr.kg_error)
            if not mr.kg_billed:
                # July (by default): no fee at all; the annual cap is 11 monthly payments.
                results[index] = _new_tuple(ChildQuote, (child.id, 0, (mr.kg_not_billed,), 0))
                continue
            max_line: Line = mr.kg_max_line  # type: ignore[assignment]
            lines = [max_line]
            share = child.place_share_bp
            price = max_line.amount_ore
            if share != FULL_PLACE_BP:
                part_rule = mr.kg_part_rule
                if part_rule is None:
                    raise MissingRuleError(f"no kindergarten_part_time row in {month}")
                # § 2: the place share of the (exact) full-time monthly price.
                new = (2 * mr.kg_max_num * share + mr.kg_max_den) // (2 * mr.kg_max_den)
                if new != price:
                    lines.append(_new_tuple(Line, (part_rule, new - price)))
                    price = new
            if granted:
                # § 3 (norway.md § 2.4): 6 % of income per year for a full-time place, per
                # month over the billed months, times the place share.
                rule = mr.kg_income_rule
                if rule is not None and income * mr.kg_income_num < mr.kg_income_limit:
                    den = mr.kg_income_den
                    new = (2 * income * mr.kg_income_num * share + den) // (2 * den)
                    if new < price:
                        lines.append(_new_tuple(Line, (rule, new - price)))
                        price = new
            if core_granted:
                # § 3 (norway.md § 2.5): 20 free hours a week, on the income-graded price.
                rule = mr.kg_core_rule
                if rule is not None and price and income < mr.kg_core_threshold_ore:
                    # Age counted in the calendar year the kindergarten year starts, i.e. a
                    # child is "2" from 1 August of the year it turns 2 up to school start
                    # (the August rule of norway.md § 1.7 [U]; school starts in August of the
                    # year the child turns 6, § 4.1).
                    age = mr.kg_year_start - child.birth_date.year
                    if mr.kg_core_min_age <= age <= mr.kg_core_max_age or (
                        child.delayed_school_start and age == mr.kg_core_max_age + 1
                    ):
                        hours = child.weekly_hours_x100
                        paid = hours - mr.kg_core_free_x100
                        new = (2 * price * paid + hours) // (2 * hours) if paid > 0 else 0
                        if new != price:
                            lines.append(_new_tuple(Line, (rule, new - price)))
                            price = new
            kindergarten.append((-price, child.birth_date, index, lines))
        else:  # SFO
            if mr.sfo_error is not None:
                raise MissingRuleError(mr.sfo_error)
            if not mr.sfo_billed:
                results[index] = _new_tuple(ChildQuote, (child.id, 0, (mr.sfo_not_billed,), 0))
                continue
            price = child.list_price_ore or 0
            lines = [_new_tuple(Line, (mr.sfo_list_rule, price))]
            grade = child.grade
            special = mr.sfo_special.get(grade)  # type: ignore[arg-type]
            if special is not None:
                # Grades 5-7 are SFO for pupils with special needs: free from Aug 2020.
                if price:
                    lines.append(_new_tuple(Line, (special, -price)))
                    price = 0
            else:
                free = mr.sfo_free.get(grade)  # type: ignore[arg-type]
                if free is not None and price:
                    free_x100, rule = free
                    hours = child.weekly_hours_x100
                    paid = hours - free_x100
                    new = (2 * price * paid + hours) // (2 * hours) if paid > 0 else 0
                    if new != price:
                        lines.append(_new_tuple(Line, (rule, new - price)))
                        price = new
                if granted:
                    # norway.md § 3: no household pays MORE than 6 % of its income for the
                    # place, so the cap bounds what is left to pay after the free hours; a
                    # household that already pays less keeps its bill.
                    cap = mr.sfo_income.get(grade)  # type: ignore[arg-type]
                    if cap is not None:
                        num, den, rule = cap
                        if income * num < price * den:
                            new = (2 * income * num + den) // (2 * den)
                            lines.append(_new_tuple(Line, (rule, new - price)))
                            price = new
            food = child.food_ore
            if food:
                lines.append(_new_tuple(Line, (_food_rule(mr.sfo_food_rule, month), food)))
                food_total += food
            total += price
            results[index] = _new_tuple(ChildQuote, (child.id, price, tuple(lines), food))

    if kindergarten:
        if len(kindergarten) > 1 and mr.kg_sib_rule is not None:
            # Highest price first; ties: oldest (earliest birth date) first, then input order.
            kindergarten.sort()
            sib_rule = mr.kg_sib_rule
            second, third = mr.kg_sib_second_keep_bp, mr.kg_sib_third_keep_bp
            for rank, (neg_price, _, index, lines) in enumerate(kindergarten):
                price = -neg_price
                if rank:
                    keep = second if rank == 1 else third
                    new = (2 * price * keep + FULL_PLACE_BP) // (2 * FULL_PLACE_BP)
                    if new != price:
                        lines.append(_new_tuple(Line, (sib_rule, new - price)))
                        price = new
                total += price
                results[index] = _finish(children[index], price, lines, mr.kg_food_rule, month)
        else:
            for neg_price, _, index, lines in kindergarten:
                total -= neg_price
                results[index] = _finish(children[index], -neg_price, lines, mr.kg_food_rule, month)
        food_total += sum(children[index].food_ore for _, _, index, _ in kindergarten)

    return _new_tuple(Quote, (month, tuple(results), total, food_total))


def _finish(
    child: Child, price: int, lines: list[Line], food_rule: RuleRef | None, month: YearMonth
) -> ChildQuote:
    food = child.food_ore
    if food:
        lines.append(_new_tuple(Line, (_food_rule(food_rule, month), food)))
    return _new_tuple(ChildQuote, (child.id, price, tuple(lines), food))


def _food_rule(rule: RuleRef | None, month: YearMonth) -> RuleRef:
    if rule is None:
        raise MissingRuleError(f"no food row in {month}")
    return rule
