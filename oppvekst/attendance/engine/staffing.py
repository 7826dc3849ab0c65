"""Staffing in a kindergarten: the formal norms and the live children-per-adult figure.

Pure module: standard library only (docs/HELPERS.md). Two figures are kept apart on purpose
(domain/operations.md §1.7): the *formal* norms (bemanningsnorm and pedagognorm, computed from
placements and employments on a date, as BASIL does) and the *live* figure (children checked in
per adult present right now). Only the formal figure can be "met" or "not met"; the live figure
is never called a norm breach.

Rules (domain/norway.md §1.7; operations.md §1.7, the SSB/KOSTRA weighting):
- a child counts as over 3 from 1 August of the calendar year it turns 3;
- staffing norm: each child weighs 2 if under 3, else 1, times an hours factor
  (≤ 8 h → 6, ≤ 16 → 13, ≤ 24 → 21, ≤ 32 → 29, ≤ 40 → 37, above 40 → 45) divided by 45; the sum
  per full-time equivalent in basic staffing (grunnbemanning) must be at most 6;
- pedagogue norm: ⌈under 3 / 7 + over 3 / 14⌉ pedagogical leaders, counting children regardless
  of hours, and only whole FTEs count ("Kun hele årsverk teller med i pedagognormen", Udir);
- shared places: two part-time children never present at the same time count as one child
  (Udir, "Beregning av ny bemanningsnorm"). Children with the same ``shared_place`` key are one
  child in the head counts of the pedagogue norm (under 3 if any of them is); their hours already
  weigh each of them by the share of the week they attend, so the staffing norm sums them as is.

Arithmetic is exact (fractions); results are rounded half up to two places only for output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

MAX_CORRECTED_PER_FTE = 6
FULL_WEEK_FACTOR = 45
# (upper bound of weekly hours, inclusive) -> hours factor; above the last bound: 45.
HOURS_FACTORS: tuple[tuple[int, int], ...] = ((8, 6), (16, 13), (24, 21), (32, 29), (40, 37))
UNDER_3_PER_PEDAGOGUE = 7
OVER_3_PER_PEDAGOGUE = 14


def counts_as_over_3(birth_date: date, on: date) -> bool:
    """Over 3 from and including 1 August of the year the child turns 3 (norway.md §1.7)."""
    return on >= date(birth_date.year + 3, 8, 1)


def hours_factor(weekly_hours: Decimal | Fraction | int) -> int:
    for bound, factor in HOURS_FACTORS:
        if weekly_hours <= bound:
            return factor
    return FULL_WEEK_FACTOR


def last_birth_year_over_3(on: date) -> int:
    """Children born in this year or earlier count as over 3 on `on` (the August rule, in one
    comparison per child: over 3 from 1 August of the year the child turns 3)."""
    return on.year - 3 if on.month >= 8 else on.year - 4


@dataclass(frozen=True)
class NormChild:
    id: str
    birth_date: date
    weekly_hours: Decimal
    shared_place: str | None = None


@dataclass(frozen=True)
class NormStaff:
    id: str
    fte: Decimal
    pedagogical_leader: bool
    basic_staffing: bool


@dataclass(frozen=True)
class NormResult:
    under_3: int
    over_3: int
    children_corrected: Fraction
    fte_basic: Fraction
    corrected_per_fte: Fraction | None
    staffing_norm_met: bool
    pedagogues_required: int
    pedagogues_whole_fte: int
    pedagogue_norm_met: bool

    def as_json(self) -> dict[str, Any]:
        """The CLI contract's output object (decimals as strings, half up to two places)."""
        return {
            "under_3": self.under_3,
            "over_3": self.over_3,
            "children_corrected": format_2(self.children_corrected),
            "fte_basic": format_2(self.fte_basic),
            "corrected_per_fte": None
            if self.corrected_per_fte is None
            else format_2(self.corrected_per_fte),
            "staffing_norm_met": self.staffing_norm_met,
            "pedagogues_required": self.pedagogues_required,
            "pedagogues_whole_fte": self.pedagogues_whole_fte,
            "pedagogue_norm_met": self.pedagogue_norm_met,
        }


def round_half_up_2(value: Fraction) -> Fraction:
    """Exactly rounded to hundredths, halves away from zero."""
    scaled = abs(value) * 100
    whole = math.floor(scaled + Fraction(1, 2))
    return Fraction(whole if value >= 0 else -whole, 100)


def format_2(value: Fraction) -> str:
    rounded = round_half_up_2(value)
    return str(
        (Decimal(rounded.numerator) / Decimal(rounded.denominator)).quantize(Decimal("0.01"))
    )


def child_weight(child: NormChild, on: date) -> Fraction:
    age_weight = 1 if counts_as_over_3(child.birth_date, on) else 2
    return Fraction(age_weight * hours_factor(child.weekly_hours), FULL_WEEK_FACTOR)


def head_counts(children: Iterable[NormChild], on: date) -> tuple[int, int]:
    """(under 3, over 3), a shared place counted once (under 3 if any sharer is)."""
    under = over = 0
    threshold = last_birth_year_over_3(on)
    shared: dict[str, bool] = {}  # shared place -> any sharer under 3
    for child in children:
        young = child.birth_date.year > threshold
        if child.shared_place:
            shared[child.shared_place] = shared.get(child.shared_place, False) or young
        elif young:
            under += 1
        else:
            over += 1
    for young in shared.values():
        if young:
            under += 1
        else:
            over += 1
    return under, over


def formal_norms(on: date, children: Sequence[NormChild], staff: Sequence[NormStaff]) -> NormResult:
    under_3, over_3 = head_counts(children, on)
    # Integer numerators over the common denominator 45: exact, and fast for a whole
    # municipality's children.
    threshold = last_birth_year_over_3(on)
    numerator = sum(
        (1 if c.birth_date.year <= threshold else 2) * hours_factor(c.weekly_hours)
        for c in children
    )
    corrected = Fraction(numerator, FULL_WEEK_FACTOR)
    fte_basic = sum((Fraction(s.fte) for s in staff if s.basic_staffing), Fraction(0))
    per_fte = corrected / fte_basic if fte_basic > 0 else None
    required = math.ceil(
        Fraction(under_3, UNDER_3_PER_PEDAGOGUE) + Fraction(over_3, OVER_3_PER_PEDAGOGUE)
    )
    whole = math.floor(sum((Fraction(s.fte) for s in staff if s.pedagogical_leader), Fraction(0)))
    return NormResult(
        under_3=under_3,
        over_3=over_3,
        children_corrected=corrected,
        fte_basic=fte_basic,
        corrected_per_fte=per_fte,
        staffing_norm_met=per_fte is not None and per_fte <= MAX_CORRECTED_PER_FTE,
        pedagogues_required=required,
        pedagogues_whole_fte=whole,
        pedagogue_norm_met=whole >= required,
    )


def children_per_adult(children_present: int, adults_present: int) -> Fraction | None:
    """The live figure: children checked in per adult present now. Not a norm (operations.md
    §1.7): None when no adult is registered as present."""
    if adults_present <= 0:
        return None
    return Fraction(children_present, adults_present)
