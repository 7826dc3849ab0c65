"""GSI (Grunnskolens informasjonssystem) per school as of 1 October (domain/norway.md §4.5).

Pure module: standard library only. Figures:
- pupils per grade by sex, every pupil who attends the school (norway.md §4.5, counting rules);
  sex comes from the population register (FREG ``kjoenn``), never from the identity number
  (norway.md §5.3), so a pupil without a registered sex is counted in ``pupils`` only and
  listed by the check list;
- teacher FTEs (lærerårsverk) at the school;
- gruppestørrelse 2 per stage (1–4, 5–7, 8–10): pupils of the stage per teacher FTE on the
  stage. A teacher's FTE is shared equally between the grades of the classes the teacher is
  assigned to; FTEs of teachers with no class are shared by the stages in proportion to their
  pupils. The lærernorm (at most 15 pupils per teacher in 1–4 and 20 in 5–10, norway.md §4.5)
  is checked against the same figure;
- SFO pupils: pupils of the school with an SFO place on the day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

STAGES: tuple[tuple[str, range], ...] = (
    ("1-4", range(1, 5)),
    ("5-7", range(5, 8)),
    ("8-10", range(8, 11)),
)
TEACHER_NORM = {"1-4": 15, "5-7": 20, "8-10": 20}


@dataclass(frozen=True)
class Pupil:
    id: int
    grade: int
    sex: str | None  # "female", "male" or None when the register has none
    sfo: bool = False


@dataclass(frozen=True)
class Teacher:
    id: int
    fte: Decimal
    grades: tuple[int, ...] = ()


@dataclass(frozen=True)
class School:
    unit_id: int
    name: str
    first_grade: int
    last_grade: int
    pupils: Sequence[Pupil]
    teachers: Sequence[Teacher]


@dataclass
class Problem:
    unit_id: int
    code: str
    subject_id: int | None = None


@dataclass
class SchoolReport:
    figures: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


def stage_of(grade: int) -> str:
    return next(name for name, grades in STAGES if grade in grades)


def decimal_2(value: Fraction | Decimal) -> str:
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else value
    )
    return str(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _stage_fte(school: School, pupils_per_stage: Counter[str]) -> dict[str, Fraction]:
    fte: dict[str, Fraction] = {name: Fraction(0) for name, _g in STAGES}
    total_pupils = sum(pupils_per_stage.values())
    for teacher in school.teachers:
        share = Fraction(teacher.fte)
        grades = [g for g in teacher.grades if 1 <= g <= 10]
        if grades:
            for grade in grades:
                fte[stage_of(grade)] += share / len(grades)
        elif total_pupils:
            for name, count in pupils_per_stage.items():
                fte[name] += share * Fraction(count, total_pupils)
    return fte


def school_report(school: School) -> SchoolReport:
    grades = range(school.first_grade, school.last_grade + 1)
    by_grade: dict[str, dict[str, int]] = {str(g): {"girls": 0, "boys": 0} for g in grades}
    problems: list[Problem] = []
    per_stage: Counter[str] = Counter()
    for pupil in school.pupils:
        if not 1 <= pupil.grade <= 10:
            # Counted as a pupil of the school, but without a class there is no grade.
            problems.append(Problem(school.unit_id, "pupil_without_class", pupil.id))
            continue
        per_stage[stage_of(pupil.grade)] += 1
        row = by_grade.setdefault(str(pupil.grade), {"girls": 0, "boys": 0})
        if pupil.sex == "female":
            row["girls"] += 1
        elif pupil.sex == "male":
            row["boys"] += 1
        else:
            problems.append(Problem(school.unit_id, "pupil_without_sex", pupil.id))
    for teacher in school.teachers:
        if teacher.fte <= 0:
            problems.append(Problem(school.unit_id, "teacher_without_fte", teacher.id))
    stage_fte = _stage_fte(school, per_stage)
    group_size: dict[str, str | None] = {}
    for name, _grades in STAGES:
        pupils = per_stage.get(name, 0)
        if pupils and stage_fte[name] > 0:
            group_size[name] = decimal_2(Fraction(pupils) / stage_fte[name])
            if Fraction(pupils) / stage_fte[name] > TEACHER_NORM[name]:
                problems.append(Problem(school.unit_id, f"teacher_norm_{name}"))
        else:
            group_size[name] = None
            if pupils:
                problems.append(Problem(school.unit_id, f"no_teacher_fte_{name}"))
    teacher_fte = sum((Fraction(t.fte) for t in school.teachers), Fraction(0))
    figures = {
        "unit_id": school.unit_id,
        "name": school.name,
        "pupils": len({p.id for p in school.pupils}),
        "pupils_by_grade": dict(sorted(by_grade.items(), key=lambda kv: int(kv[0]))),
        "teacher_fte": decimal_2(teacher_fte),
        "group_size_2": group_size,
        "sfo_pupils": len({p.id for p in school.pupils if p.sfo}),
    }
    return SchoolReport(figures, problems)


def totals(reports: Sequence[SchoolReport], *, distinct_pupils: int) -> dict[str, Any]:
    """Totals for the municipality. ``pupils`` counts each child once (a pupil enrolled at two
    schools on the day is one pupil), as ``oppvekst stats`` does."""
    girls = sum(row["girls"] for r in reports for row in r.figures["pupils_by_grade"].values())
    boys = sum(row["boys"] for r in reports for row in r.figures["pupils_by_grade"].values())
    fte = sum((Decimal(r.figures["teacher_fte"]) for r in reports), Decimal(0))
    return {
        "pupils": distinct_pupils,
        "girls": girls,
        "boys": boys,
        "schools": len(reports),
        "teacher_fte": decimal_2(fte),
        "sfo_pupils": sum(r.figures["sfo_pupils"] for r in reports),
    }
