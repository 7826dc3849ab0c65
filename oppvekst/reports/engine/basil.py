"""BASIL (the kindergartens' annual report) per kindergarten as of 15 December
(domain/norway.md §1.8).

Pure module. The age groups, the corrected child count, the basic-staffing FTEs and the number
of pedagogical leaders required come from the same staffing engine the kindergarten's staffing
pages use (``oppvekst.attendance.engine.staffing``, norway.md §1.7: the August rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from oppvekst.attendance.engine import staffing


@dataclass(frozen=True)
class Kindergarten:
    unit_id: int
    name: str
    owner: str  # "municipal" or "private"
    children: Sequence[staffing.NormChild]
    staff: Sequence[staffing.NormStaff]


@dataclass
class Problem:
    unit_id: int
    code: str
    subject_id: str | None = None


def kindergarten_report(kg: Kindergarten, on: date) -> tuple[dict[str, Any], list[Problem]]:
    norms = staffing.formal_norms(on, kg.children, kg.staff)
    problems: list[Problem] = []
    for child in kg.children:
        if child.weekly_hours <= 0:
            problems.append(Problem(kg.unit_id, "child_without_hours", child.id))
    for member in kg.staff:
        if member.fte <= 0:
            problems.append(Problem(kg.unit_id, "staff_without_fte", member.id))
    if kg.children and not norms.staffing_norm_met:
        problems.append(Problem(kg.unit_id, "staffing_norm_not_met"))
    if kg.children and not norms.pedagogue_norm_met:
        problems.append(Problem(kg.unit_id, "pedagogue_norm_not_met"))
    figures = {
        "unit_id": kg.unit_id,
        "name": kg.name,
        "owner": kg.owner,
        "children": len({c.id for c in kg.children}),
        "under_3": norms.under_3,
        "over_3": norms.over_3,
        "children_corrected": staffing.format_2(norms.children_corrected),
        "fte_basic": staffing.format_2(norms.fte_basic),
        "pedagogues_required": norms.pedagogues_required,
    }
    return figures, problems


def totals(rows: Sequence[dict[str, Any]], *, distinct_children: int) -> dict[str, Any]:
    """Totals for the municipality; ``children`` counts each child once, as ``oppvekst stats``
    does."""
    return {
        "children": distinct_children,
        "kindergartens": len(rows),
        "under_3": sum(r["under_3"] for r in rows),
        "over_3": sum(r["over_3"] for r in rows),
        "children_corrected": str(
            sum((Decimal(r["children_corrected"]) for r in rows), Decimal(0))
        ),
        "fte_basic": str(sum((Decimal(r["fte_basic"]) for r in rows), Decimal(0))),
        "pedagogues_required": sum(r["pedagogues_required"] for r in rows),
    }
