"""A generated Norwegian 1-10 school (about 600 pupils) as a timetable model instance.

Pure (no Django): used by the benchmark and by the demo data. Weekly lessons (45 minutes) per
grade follow roughly the national distribution of teaching hours (Udir, *fag- og
timefordeling*, annual 60-minute hours per stage 1-4, 5-7 and 8-10) converted to a 38-week
year; the exact numbers are illustrative, not normative.

The school has 2-3 classes per grade, a home classroom per class, two gyms, a science room,
two music rooms, three arts-and-crafts rooms and two kitchens. Grades 1-7 have no gaps and start at
the first period (hard), lower grades go home earlier, split lessons of a subject fall on
different days, a class halves pairs "mat og helse" with "kunst og handverk" at the same
time, electives and foreign languages in 8-10 are blocks across all classes of a grade with
several teachers, and part-time teachers have a day off.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from oppvekst.timetable.engine.model import (
    Activity,
    Building,
    Constraint,
    EarlyMaxBeginningsAtSecondHour,
    Group,
    Instance,
    MaxGapsPerDay,
    MaxGapsPerWeek,
    MaxHoursDaily,
    MinDaysBetween,
    MinHoursDaily,
    NotAvailable,
    PreferredRooms,
    Room,
    SameStartingTime,
    Subgroup,
    Subject,
    Teacher,
    Year,
)

DAYS = ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag"]
PERIODS = [
    "08:30-09:15",
    "09:15-10:00",
    "10:15-11:00",
    "11:00-11:45",
    "12:15-13:00",
    "13:00-13:45",
    "13:55-14:40",
]

# Weekly 45-minute lessons per subject and grade band (illustrative, after Udir's
# fag- og timefordeling: e.g. norsk 931 h in 1-4, matematikk 588 h in 1-4, 8-10 total 2565 h).
SUBJECT_LESSONS: dict[str, dict[str, int]] = {
    "1-2": {
        "Norsk": 7,
        "Matematikk": 5,
        "Engelsk": 1,
        "Naturfag": 1,
        "Samfunnsfag": 1,
        "KRLE": 2,
        "Kunst og håndverk": 3,
        "Musikk": 2,
        "Kroppsøving": 2,
    },
    "3-4": {
        "Norsk": 6,
        "Matematikk": 5,
        "Engelsk": 2,
        "Naturfag": 2,
        "Samfunnsfag": 2,
        "KRLE": 2,
        "Kunst og håndverk": 2,
        "Musikk": 1,
        "Kroppsøving": 2,
        "Mat og helse": 1,
    },
    "5-7": {
        "Norsk": 6,
        "Matematikk": 5,
        "Engelsk": 3,
        "Naturfag": 2,
        "Samfunnsfag": 2,
        "KRLE": 2,
        "Kunst og håndverk": 2,
        "Musikk": 1,
        "Kroppsøving": 2,
        "Mat og helse": 2,
        "Fysisk aktivitet": 1,
    },
    "8-10": {
        "Norsk": 4,
        "Matematikk": 4,
        "Engelsk": 3,
        "Naturfag": 3,
        "Samfunnsfag": 3,
        "KRLE": 2,
        "Kunst og håndverk": 2,
        "Musikk": 1,
        "Kroppsøving": 2,
        "Mat og helse": 2,
        "Fremmedspråk": 2,
        "Valgfag": 2,
        "Utdanningsvalg": 1,
    },
}

ROOM_KIND_OF_SUBJECT = {
    "Kroppsøving": "gym",
    "Naturfag": "science",
    "Musikk": "music",
    "Kunst og håndverk": "arts",
    "Mat og helse": "kitchen",
}

CLASSES_PER_GRADE = [3, 2, 3, 2, 3, 2, 3, 2, 3, 2]

# Split of weekly lessons into activities (durations), e.g. 5 lessons -> 2 + 1 + 1 + 1.
SPLITS = {
    1: [1],
    2: [2],
    3: [2, 1],
    4: [2, 1, 1],
    5: [2, 1, 1, 1],
    6: [2, 2, 1, 1],
    7: [2, 2, 1, 1, 1],
}
SINGLE_SPLITS = {
    1: [1],
    2: [1, 1],
    3: [1, 1, 1],
    4: [1, 1, 1, 1],
    5: [1, 1, 1, 1, 1],
    6: [2, 1, 1, 1, 1],
    7: [2, 2, 1, 1, 1],
}


def band(grade: int) -> str:
    if grade <= 2:
        return "1-2"
    if grade <= 4:
        return "3-4"
    if grade <= 7:
        return "5-7"
    return "8-10"


@dataclass
class _TeacherLoad:
    name: str
    capacity: int
    load: int = 0
    stage: str = ""
    day_off: int | None = None


def generate_demo_school(seed: int = 1) -> Instance:
    """A 1-10 school with about 600 pupils; deterministic for a given seed."""
    rng = random.Random(seed)
    n_days, n_hours = len(DAYS), len(PERIODS)
    years: list[Year] = []
    classes: dict[int, list[str]] = {}
    for grade, n in enumerate(CLASSES_PER_GRADE, start=1):
        names = [f"{grade}{chr(ord('A') + i)}" for i in range(n)]
        classes[grade] = names
        groups = []
        for cname in names:
            size = rng.randint(21, 26)
            halves = (Subgroup(f"{cname}-1", size // 2), Subgroup(f"{cname}-2", size - size // 2))
            groups.append(Group(cname, size, halves if 5 <= grade <= 7 else ()))
        years.append(Year(f"Trinn {grade}", sum(g.size for g in groups), tuple(groups)))

    rooms: list[Room] = []
    for names in classes.values():
        for cname in names:
            rooms.append(Room(f"Klasserom {cname}", 30, "Hovedbygg", "classroom"))
    for name, kind, cap in [
        ("Gymsal 1", "gym", 60),
        ("Gymsal 2", "gym", 60),
        ("Naturfagrom", "science", 30),
        ("Musikkrom 1", "music", 30),
        ("Musikkrom 2", "music", 30),
        ("Formingsrom 1", "arts", 30),
        ("Formingsrom 2", "arts", 30),
        ("Sløydsal", "arts", 30),
        ("Skolekjøkken 1", "kitchen", 30),
        ("Skolekjøkken 2", "kitchen", 30),
    ]:
        rooms.append(Room(name, cap, "Hovedbygg", kind))
    rooms_of_kind: dict[str, list[str]] = {}
    for r in rooms:
        rooms_of_kind.setdefault(r.kind, []).append(r.name)

    # ---- teachers: a contact teacher per class in 1-7, subject teachers in 8-10
    teachers: list[_TeacherLoad] = []

    def new_teacher(stage: str, capacity: int, part_time_ok: bool = True) -> _TeacherLoad:
        t = _TeacherLoad(f"Lærer {len(teachers) + 1:02d}", capacity, stage=stage)
        if part_time_ok and rng.random() < 0.2:
            t.capacity = int(capacity * 0.6)
            t.day_off = rng.randrange(n_days)
        teachers.append(t)
        return t

    contact: dict[str, _TeacherLoad] = {}
    for grade in range(1, 8):
        for cname in classes[grade]:
            # contact teachers work full time: their class has a lesson with them every day
            contact[cname] = new_teacher(band(grade), 26, part_time_ok=False)
    specialists = {
        subject: [new_teacher("spes", 26) for _ in range(k)]
        for subject, k in [
            ("Kroppsøving", 3),
            ("Musikk", 1),
            ("Kunst og håndverk", 2),
            ("Mat og helse", 2),
            ("Engelsk", 1),
        ]
    }
    upper = [new_teacher("8-10", 26) for _ in range(12)]

    def pick(pool: list[_TeacherLoad], hours: int) -> _TeacherLoad:
        """The least loaded teacher of the pool with room for ``hours``; hires when full."""
        cands = [t for t in pool if t.load + hours <= t.capacity]
        if not cands:
            pool.append(new_teacher(pool[0].stage if pool else "spes", 26))
            cands = [pool[-1]]
        best = min(cands, key=lambda t: (t.load / t.capacity, t.name))
        best.load += hours
        return best

    activities: list[Activity] = []
    constraints: list[Constraint] = []
    next_id = 1

    def add_split(
        subject: str,
        students: tuple[str, ...],
        teacher_names: tuple[str, ...],
        lessons: int,
        size: int | None = None,
        doubles: bool = True,
    ) -> list[int]:
        nonlocal next_id
        parts = (SPLITS if doubles else SINGLE_SPLITS)[lessons]
        group_id = next_id if len(parts) > 1 else 0
        ids = []
        for dur in parts:
            activities.append(
                Activity(
                    next_id,
                    dur,
                    subject,
                    teacher_names,
                    students,
                    group_id=group_id,
                    n_students=size,
                )
            )
            ids.append(next_id)
            next_id += 1
        if len(ids) > 1:
            constraints.append(
                MinDaysBetween(
                    activities=tuple(ids),
                    min_days=1,
                    weight=100.0,
                    label=f"{subject} {'/'.join(students)}: ulike dager",
                )
            )
        kind = ROOM_KIND_OF_SUBJECT.get(subject)
        if subject == "Naturfag" and not students[0].startswith(("8", "9", "10")):
            kind = None  # the science room is for grades 8-10; younger pupils stay in class
        if kind is not None:
            constraints.append(
                PreferredRooms(
                    activities=tuple(ids),
                    rooms=tuple(rooms_of_kind[kind]),
                    label=f"{subject} {'/'.join(students)}: rom",
                )
            )
        elif len(students) == 1 and not students[0].startswith("Trinn"):
            cname = students[0].split("-")[0]
            constraints.append(
                PreferredRooms(
                    activities=tuple(ids),
                    rooms=(f"Klasserom {cname}",),
                    label=f"{subject} {students[0]}: klasserom",
                )
            )
        return ids

    for grade in range(1, 11):
        b = band(grade)
        for cname in classes[grade]:
            for subject, lessons in SUBJECT_LESSONS[b].items():
                if subject in ("Fremmedspråk", "Valgfag"):
                    continue
                if grade >= 5 and subject in ("Mat og helse", "Kunst og håndverk") and grade <= 7:
                    continue  # handled as parallel half-class lessons below
                if grade <= 7:
                    if subject in specialists and (grade >= 3 or subject != "Engelsk"):
                        t = pick(specialists[subject], lessons)
                    else:
                        t = contact[cname]
                        t.load += lessons
                else:
                    t = pick(upper, lessons)
                doubles = subject in ROOM_KIND_OF_SUBJECT or grade >= 8
                add_split(subject, (cname,), (t.name,), lessons, doubles=doubles)
            if 5 <= grade <= 7:
                # half the class has mat og helse while the other half has kunst og håndverk
                h1, h2 = f"{cname}-1", f"{cname}-2"
                tm = pick(specialists["Mat og helse"], 4)
                tk = pick(specialists["Kunst og håndverk"], 4)
                first = add_split("Mat og helse", (h1,), (tm.name,), 2)
                second = add_split("Kunst og håndverk", (h2,), (tk.name,), 2)
                third = add_split("Mat og helse", (h2,), (tm.name,), 2)
                fourth = add_split("Kunst og håndverk", (h1,), (tk.name,), 2)
                constraints.append(
                    SameStartingTime(
                        activities=(first[0], second[0]), label=f"{cname}: halvklasser parallelt 1"
                    )
                )
                constraints.append(
                    SameStartingTime(
                        activities=(third[0], fourth[0]), label=f"{cname}: halvklasser parallelt 2"
                    )
                )
        if grade >= 8:
            # electives and languages: whole-grade blocks with several teachers
            for subject in ("Fremmedspråk", "Valgfag"):
                n_groups = len(classes[grade]) + 1
                ts = tuple(pick(upper, 2).name for _ in range(n_groups))
                add_split(subject, (f"Trinn {grade}",), ts, 2, doubles=False)

    # ---- constraints on students
    for grade in range(1, 11):
        year = f"Trinn {grade}"
        lessons = sum(SUBJECT_LESSONS[band(grade)].values())
        # lower grades go home early: the last periods are not available
        last = {"1-2": 5, "3-4": 6, "5-7": 6, "8-10": 7}[band(grade)]
        extra_days = max(0, lessons - last * n_days)
        na = set()
        for d in range(n_days):
            end = last + (1 if d < extra_days else 0)
            na |= {(d, h) for h in range(end, n_hours)}
        if na:
            constraints.append(
                NotAvailable(
                    resource_kind="students",
                    resource=year,
                    slots=frozenset(na),
                    label=f"{year}: skoledagen slutter",
                )
            )
        if grade <= 7:
            # no gaps for pupils in grades 1-7 (hard), and they start at the first period
            max_gaps, gaps_label = 0, "ingen hull"
            max_late, late_label = 0, "starter første time"
        else:
            # FET accepts max-gaps constraints only at 100 %: a small weekly allowance instead
            max_gaps, gaps_label = 2, "maks to hull i uka"
            max_late, late_label = 1, "starter tidlig"
        constraints.append(
            MaxGapsPerWeek(
                resource_kind="students",
                resources=(year,),
                max_gaps=max_gaps,
                label=f"{year}: {gaps_label}",
            )
        )
        constraints.append(
            EarlyMaxBeginningsAtSecondHour(
                resource_kind="students",
                resources=(year,),
                max_beginnings=max_late,
                label=f"{year}: {late_label}",
            )
        )
        constraints.append(
            MinHoursDaily(
                resource_kind="students",
                resources=(year,),
                min_hours=4,
                allow_empty_days=False,
                label=f"{year}: minst fire timer",
            )
        )

    # ---- constraints on teachers
    for t in teachers:
        if t.day_off is not None:
            constraints.append(
                NotAvailable(
                    resource_kind="teacher",
                    resource=t.name,
                    slots=frozenset((t.day_off, h) for h in range(n_hours)),
                    label=f"{t.name}: fridag (deltid)",
                )
            )
    constraints.append(
        MaxHoursDaily(
            resource_kind="teacher", max_hours=6, label="Lærere: maks seks timer om dagen"
        )
    )
    constraints.append(
        MaxGapsPerDay(resource_kind="teacher", max_gaps=3, label="Lærere: maks tre hull om dagen")
    )

    used = {t for a in activities for t in a.teachers}
    subjects = sorted({a.subject for a in activities})
    inst = Instance(
        name=f"Demo 1-10 skole (seed {seed})",
        days=list(DAYS),
        hours=list(PERIODS),
        activities=activities,
        teachers=[Teacher(t.name, t.capacity) for t in teachers if t.name in used],
        subjects=[Subject(s) for s in subjects],
        years=years,
        buildings=[Building("Hovedbygg")],
        rooms=rooms,
        constraints=constraints,
    )
    inst.validate()
    return inst
