"""FET import/export: parsing, weights, unsupported types, bad references, round trips,
and ``fet-cl`` accepting an exported, locked solution."""

from __future__ import annotations

from pathlib import Path

import pytest

from oppvekst.timetable.engine import model as m
from oppvekst.timetable.engine.fet import (
    FetError,
    read_fet,
    read_fet_string,
    read_locked_solution,
    write_fet,
    write_fet_with_solution,
)
from oppvekst.timetable.engine.fetcl import fet_cl_path, run_fet_cl
from oppvekst.timetable.engine.solver import SolveOptions, solve
from oppvekst.timetable.engine.verify import verify
from tests.timetable.tt_factory import act, tiny

EXAMPLES = Path("/usr/share/doc/fet-data/examples")

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<fet version="6.8.5">
<Institution_Name>Lille skole</Institution_Name>
<Days_List><Number_of_Days>2</Number_of_Days>
<Day><Name>Mandag</Name></Day><Day><Name>Tirsdag</Name></Day></Days_List>
<Hours_List><Number_of_Hours>4</Number_of_Hours>
<Hour><Name>1</Name></Hour><Hour><Name>2</Name></Hour><Hour><Name>3</Name></Hour>
<Hour><Name>4</Name></Hour></Hours_List>
<Subjects_List><Subject><Name>Norsk</Name></Subject><Subject><Name>Gym</Name></Subject>
</Subjects_List>
<Activity_Tags_List><Activity_Tag><Name>Dobbel</Name></Activity_Tag></Activity_Tags_List>
<Teachers_List><Teacher><Name>Anne</Name></Teacher><Teacher><Name>Bjørn</Name></Teacher>
</Teachers_List>
<Students_List>
<Year><Name>5</Name><Number_of_Students>40</Number_of_Students>
  <Group><Name>5A</Name><Number_of_Students>20</Number_of_Students>
    <Subgroup><Name>5A-1</Name><Number_of_Students>10</Number_of_Students></Subgroup>
    <Subgroup><Name>5A-2</Name><Number_of_Students>10</Number_of_Students></Subgroup>
  </Group>
  <Group><Name>5B</Name><Number_of_Students>20</Number_of_Students></Group>
</Year>
</Students_List>
<Activities_List>
<Activity><Teacher>Anne</Teacher><Subject>Norsk</Subject><Students>5A</Students>
  <Duration>1</Duration><Total_Duration>2</Total_Duration><Id>1</Id>
  <Activity_Group_Id>1</Activity_Group_Id><Active>true</Active></Activity>
<Activity><Teacher>Anne</Teacher><Subject>Norsk</Subject><Students>5A</Students>
  <Duration>1</Duration><Total_Duration>2</Total_Duration><Id>2</Id>
  <Activity_Group_Id>1</Activity_Group_Id><Active>true</Active></Activity>
<Activity><Teacher>Bjørn</Teacher><Subject>Gym</Subject><Activity_Tag>Dobbel</Activity_Tag>
  <Students>5</Students><Duration>2</Duration><Total_Duration>2</Total_Duration><Id>3</Id>
  <Activity_Group_Id>0</Activity_Group_Id><Active>true</Active></Activity>
<Activity><Teacher>Bjørn</Teacher><Subject>Norsk</Subject><Students>5A-2</Students>
  <Duration>1</Duration><Total_Duration>1</Total_Duration><Id>4</Id>
  <Activity_Group_Id>0</Activity_Group_Id><Active>false</Active></Activity>
</Activities_List>
<Buildings_List><Building><Name>Hus</Name></Building></Buildings_List>
<Rooms_List>
<Room><Name>Gymsal</Name><Building>Hus</Building><Capacity>60</Capacity>
  <Virtual>false</Virtual></Room>
<Room><Name>Rom 1</Name><Building>Hus</Building><Capacity>25</Capacity>
  <Virtual>false</Virtual></Room>
</Rooms_List>
<Time_Constraints_List>
<ConstraintBasicCompulsoryTime><Weight_Percentage>100</Weight_Percentage>
  <Active>true</Active></ConstraintBasicCompulsoryTime>
<ConstraintMinDaysBetweenActivities><Weight_Percentage>95</Weight_Percentage>
  <Consecutive_If_Same_Day>true</Consecutive_If_Same_Day>
  <Number_of_Activities>3</Number_of_Activities><Activity_Id>1</Activity_Id>
  <Activity_Id>2</Activity_Id><Activity_Id>4</Activity_Id><MinDays>1</MinDays>
  <Active>true</Active></ConstraintMinDaysBetweenActivities>
<ConstraintTeacherNotAvailableTimes><Weight_Percentage>100</Weight_Percentage>
  <Teacher>Anne</Teacher><Number_of_Not_Available_Times>1</Number_of_Not_Available_Times>
  <Not_Available_Time><Day>Mandag</Day><Hour>1</Hour></Not_Available_Time>
  <Active>true</Active></ConstraintTeacherNotAvailableTimes>
<ConstraintBreakTimes><Weight_Percentage>100</Weight_Percentage>
  <Number_of_Break_Times>1</Number_of_Break_Times>
  <Break_Time><Day>Tirsdag</Day><Hour>4</Hour></Break_Time>
  <Active>true</Active></ConstraintBreakTimes>
<ConstraintActivitiesPreferredTimeSlots><Weight_Percentage>100</Weight_Percentage>
  <Teacher_Name></Teacher_Name><Students_Name></Students_Name><Subject_Name>Gym</Subject_Name>
  <Activity_Tag_Name></Activity_Tag_Name><Number_of_Preferred_Time_Slots>2</Number_of_Preferred_Time_Slots>
  <Preferred_Time_Slot><Preferred_Day>Tirsdag</Preferred_Day><Preferred_Hour>1</Preferred_Hour></Preferred_Time_Slot>
  <Preferred_Time_Slot><Preferred_Day>Tirsdag</Preferred_Day><Preferred_Hour>2</Preferred_Hour></Preferred_Time_Slot>
  <Active>true</Active></ConstraintActivitiesPreferredTimeSlots>
<ConstraintStudentsMaxGapsPerWeek><Weight_Percentage>100</Weight_Percentage>
  <Max_Gaps>0</Max_Gaps><Active>true</Active></ConstraintStudentsMaxGapsPerWeek>
<ConstraintTeachersMaxHoursDaily><Weight_Percentage>100</Weight_Percentage>
  <Maximum_Hours_Daily>3</Maximum_Hours_Daily><Active>true</Active>
  </ConstraintTeachersMaxHoursDaily>
<ConstraintTeacherMaxDaysPerWeek><Weight_Percentage>100</Weight_Percentage>
  <Teacher_Name>Bjørn</Teacher_Name><Max_Days_Per_Week>1</Max_Days_Per_Week>
  <Active>false</Active></ConstraintTeacherMaxDaysPerWeek>
</Time_Constraints_List>
<Space_Constraints_List>
<ConstraintBasicCompulsorySpace><Weight_Percentage>100</Weight_Percentage>
  <Active>true</Active></ConstraintBasicCompulsorySpace>
<ConstraintSubjectPreferredRoom><Weight_Percentage>100</Weight_Percentage>
  <Subject>Gym</Subject><Room>Gymsal</Room><Active>true</Active>
</ConstraintSubjectPreferredRoom>
<ConstraintStudentsSetHomeRoom><Weight_Percentage>90</Weight_Percentage>
  <Students>5A</Students><Room>Rom 1</Room><Active>true</Active>
</ConstraintStudentsSetHomeRoom>
</Space_Constraints_List>
</fet>
"""


def test_reads_entities_and_the_students_hierarchy() -> None:
    inst = read_fet_string(SMALL).instance
    assert inst.name == "Lille skole"
    assert inst.days == ["Mandag", "Tirsdag"] and len(inst.hours) == 4
    assert [a.id for a in inst.activities] == [1, 2, 3]  # activity 4 is inactive
    assert inst.students_sets["5"] == {"5A-1", "5A-2", "5B"}
    assert inst.students_sets["5A"] == {"5A-1", "5A-2"}
    a3 = inst.activity_by_id[3]
    assert a3.duration == 2 and a3.tags == ("Dobbel",) and inst.activity_size(a3) == 40
    assert inst.activity_by_id[2].group_id == 1


def test_maps_constraints_with_fet_weights() -> None:
    inst = read_fet_string(SMALL).instance
    kinds = {type(c).__name__: c for c in inst.constraints}
    md = kinds["MinDaysBetween"]
    assert isinstance(md, m.MinDaysBetween)
    assert md.activities == (1, 2) and not md.hard and md.consecutive_if_same_day
    pts = kinds["PreferredTimeSlots"]
    assert isinstance(pts, m.PreferredTimeSlots) and pts.activities == (3,) and pts.hard
    home = kinds["HomeRooms"]
    assert isinstance(home, m.HomeRooms) and home.activities == (1, 2) and home.weight == 90
    assert "MaxDaysPerWeek" not in kinds  # inactive constraint
    assert inst.unsupported == {}


def test_unsupported_constraint_types_are_listed_not_dropped() -> None:
    extra = """<ConstraintStudentsMinGapsBetweenOrderedPairOfActivityTags>
  <Weight_Percentage>100</Weight_Percentage><First_Activity_Tag>Dobbel</First_Activity_Tag>
  <Second_Activity_Tag>Dobbel</Second_Activity_Tag><MinGaps>1</MinGaps><Active>true</Active>
</ConstraintStudentsMinGapsBetweenOrderedPairOfActivityTags>
<ConstraintTeachersMaxBuildingChangesPerWeek><Weight_Percentage>100</Weight_Percentage>
  <Max_Building_Changes_Per_Week>3</Max_Building_Changes_Per_Week><Active>false</Active>
</ConstraintTeachersMaxBuildingChangesPerWeek>
</Time_Constraints_List>"""
    inst = read_fet_string(SMALL.replace("</Time_Constraints_List>", extra)).instance
    assert inst.unsupported == {"ConstraintStudentsMinGapsBetweenOrderedPairOfActivityTags": 1}


def test_solution_of_a_fet_file_respects_its_constraints() -> None:
    inst = read_fet_string(SMALL).instance
    res = solve(inst, SolveOptions(time_limit=10, workers=1))
    assert res.status == "solved" and res.solution is not None
    assert verify(inst, res.solution)[0] == 0
    p3 = res.solution.placements[3]
    assert (p3.day, p3.hour, p3.room) == (1, 0, "Gymsal")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("<fet", "not valid XML"),
        ("<?xml version='1.0'?><timetable/>", "not a FET file"),
        (
            SMALL.replace(
                "<Teacher>Anne</Teacher><Subject>Norsk</Subject><Students>5A</Students>\n"
                "  <Duration>1</Duration><Total_Duration>2</Total_Duration><Id>1</Id>",
                "<Teacher>Kari</Teacher><Subject>Norsk</Subject><Students>5A</Students>\n"
                "  <Duration>1</Duration><Total_Duration>2</Total_Duration><Id>1</Id>",
            ),
            "unknown teacher 'Kari'",
        ),
        (
            SMALL.replace("<Students>5</Students>", "<Students>7</Students>"),
            "unknown students set '7'",
        ),
        (
            SMALL.replace("<Activity_Id>4</Activity_Id>", "<Activity_Id>99</Activity_Id>"),
            "unknown activity id 99",
        ),
        (SMALL.replace("<Room>Gymsal</Room>", "<Room>Aula</Room>"), "unknown room 'Aula'"),
        (
            SMALL.replace("<Day>Tirsdag</Day><Hour>4</Hour>", "<Day>Lørdag</Day><Hour>4</Hour>"),
            "unknown day 'Lørdag'",
        ),
    ],
)
def test_bad_input_is_named(text: str, needle: str) -> None:
    with pytest.raises(FetError, match=needle):
        read_fet_string(text)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FetError, match="file not found"):
        read_fet(tmp_path / "nope.fet")


def test_model_written_as_fet_reads_back_with_the_same_meaning(tmp_path: Path) -> None:
    inst = read_fet_string(SMALL).instance
    path = tmp_path / "back.fet"
    write_fet(inst, path)
    back = read_fet(path).instance
    assert [a.id for a in back.activities] == [a.id for a in inst.activities]
    res = solve(inst, SolveOptions(time_limit=10, workers=1))
    assert res.solution is not None
    assert verify(back, res.solution)[:2] == verify(inst, res.solution)[:2]


def test_exported_locks_read_back_as_the_solution(tmp_path: Path) -> None:
    doc = read_fet_string(SMALL)
    res = solve(doc.instance, SolveOptions(time_limit=10, workers=1))
    assert res.solution is not None
    out = tmp_path / "solved.fet"
    write_fet_with_solution(doc, res.solution, out)
    again = read_fet(out)
    assert read_locked_solution(again).placements == res.solution.placements
    # the locks are hard constraints: solving again reproduces the timetable
    res2 = solve(again.instance, SolveOptions(time_limit=10, workers=1))
    assert res2.solution is not None and res2.solution.placements == res.solution.placements


# --------------------------------------------------------------------------- fet-cl

# fet-cl checks a fully locked timetable at once; the limit only stops a stuck run.
FET_CEILING = 120

needs_fet = pytest.mark.skipif(
    fet_cl_path() is None, reason="fet-cl not installed (apt-get install fet) - round trip skipped"
)


@needs_fet
def test_fet_cl_accepts_the_exported_locked_solution(tmp_path: Path) -> None:
    doc = read_fet_string(SMALL)
    res = solve(doc.instance, SolveOptions(time_limit=10, workers=1))
    assert res.solution is not None
    out = tmp_path / "solved.fet"
    write_fet_with_solution(doc, res.solution, out)
    run = run_fet_cl(out, tmp_path / "fet-out", time_limit=FET_CEILING)
    assert run.status == "solved", run.message
    inst = doc.instance
    for aid, p in res.solution.placements.items():
        day, hour, room = run.placements[aid]
        assert (day, hour) == (inst.days[p.day], inst.hours[p.hour])
        assert room == (p.room or "")
    assert run.soft_conflicts == pytest.approx(verify(inst, res.solution)[1])


@needs_fet
def test_locks_repeat_names_exactly_as_the_file_spells_them(tmp_path: Path) -> None:
    # FET compares names verbatim; Spain/2 has rooms ending in spaces and tabs
    text = SMALL.replace("<Name>Gymsal</Name>", "<Name>Gymsal \t</Name>").replace(
        "<Room>Gymsal</Room>", "<Room>Gymsal \t</Room>"
    )
    doc = read_fet_string(text)
    res = solve(doc.instance, SolveOptions(time_limit=10, workers=1))
    assert res.solution is not None
    assert res.solution.placements[3].room == "Gymsal"
    out = tmp_path / "solved.fet"
    write_fet_with_solution(doc, res.solution, out)
    assert "<Room>Gymsal \t</Room>" in out.read_text("utf-8")
    run = run_fet_cl(out, tmp_path / "fet-out", time_limit=FET_CEILING)
    assert run.status == "solved", run.message


@needs_fet
def test_fet_cl_accepts_a_solved_model_instance(tmp_path: Path) -> None:
    inst = tiny(
        [act(1, duration=2), act(2, students=("C2",)), act(3, teachers=("T2",), students=("C3",))],
        [
            m.MinDaysBetween(activities=(1, 2), min_days=1),
            m.PreferredRooms(activities=(1, 3), rooms=("R1", "R2")),
        ],
        days=2,
        hours=3,
        rooms=[m.Room("R1", 30, "B1"), m.Room("R2", 30, "B2")],
    )
    res = solve(inst, SolveOptions(time_limit=10, workers=1))
    assert res.solution is not None
    out = tmp_path / "model.fet"
    write_fet_with_solution(inst, res.solution, out)
    run = run_fet_cl(out, tmp_path / "fet-out", time_limit=FET_CEILING)
    assert run.status == "solved", run.message


@needs_fet
def test_fet_cl_rejects_a_locked_timetable_that_breaks_a_hard_constraint(tmp_path: Path) -> None:
    doc = read_fet_string(SMALL)
    bad = m.Solution({1: m.Placement(0, 0), 2: m.Placement(1, 1), 3: m.Placement(1, 0, "Gymsal")})
    assert verify(doc.instance, bad)[0] > 0  # Anne is not available on Monday at 1
    out = tmp_path / "bad.fet"
    write_fet_with_solution(doc, bad, out)
    assert run_fet_cl(out, tmp_path / "fet-out", time_limit=5).status != "solved"


# --------------------------------------------------------------------------- real examples

needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason="fet-data examples not installed (apt-get install fet-data)"
)


@needs_examples
@pytest.mark.parametrize(
    "rel",
    [
        "FET-5-official/Denmark/small-school.fet",
        "FET-5-official/United-Kingdom/Hopwood/Hopwood.fet",
    ],
)
def test_official_examples_parse_fully_and_solve(rel: str) -> None:
    inst = read_fet(EXAMPLES / rel).instance
    assert inst.unsupported == {}
    res = solve(inst, SolveOptions(time_limit=20, workers=2, optimize=False))
    assert res.status == "solved" and res.solution is not None
    assert verify(inst, res.solution)[0] == 0
