"""``oppvekst timetable solve`` keeps its contract: one JSON line, exit 2 with one stderr line
on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oppvekst.timetable.cli import main
from oppvekst.timetable.engine.fet import read_fet, read_locked_solution
from oppvekst.timetable.engine.verify import verify
from tests.timetable.test_fet import SMALL

KEYS = [
    "status",
    "seconds",
    "placed",
    "activities",
    "hard_violations",
    "soft_penalty",
    "unsupported",
]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    p = tmp_path / "in.fet"
    p.write_text(SMALL, encoding="utf-8")
    return p


def test_solve_prints_one_json_line_and_writes_the_locked_solution(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.fet"
    code = main(
        [
            "solve",
            "--fet",
            str(small),
            "--time-limit",
            "10",
            "--output",
            str(out),
            "--seed",
            "3",
            "--workers",
            "1",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert list(data) == KEYS
    assert data["status"] == "solved"
    assert data["placed"] == data["activities"] == 3
    assert data["hard_violations"] == 0 and data["unsupported"] == []
    doc = read_fet(out)
    sol = read_locked_solution(doc)
    assert len(sol.placements) == 3
    assert verify(doc.instance, sol)[:2] == (0, data["soft_penalty"])


def test_unsupported_types_are_listed_in_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = """<ConstraintStudentsMinGapsBetweenOrderedPairOfActivityTags>
  <Weight_Percentage>100</Weight_Percentage><First_Activity_Tag>Dobbel</First_Activity_Tag>
  <Second_Activity_Tag>Dobbel</Second_Activity_Tag><MinGaps>1</MinGaps><Active>true</Active>
</ConstraintStudentsMinGapsBetweenOrderedPairOfActivityTags></Time_Constraints_List>"""
    p = tmp_path / "u.fet"
    p.write_text(SMALL.replace("</Time_Constraints_List>", extra), encoding="utf-8")
    assert (
        main(
            [
                "solve",
                "--fet",
                str(p),
                "--time-limit",
                "5",
                "--output",
                str(tmp_path / "o.fet"),
                "--workers",
                "1",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["unsupported"] == ["ConstraintStudentsMinGapsBetweenOrderedPairOfActivityTags"]


def test_infeasible_input_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Bjørn teaches a double period on Tuesday morning only, and is away then
    na = """<ConstraintTeacherNotAvailableTimes><Weight_Percentage>100</Weight_Percentage>
  <Teacher>Bjørn</Teacher><Number_of_Not_Available_Times>1</Number_of_Not_Available_Times>
  <Not_Available_Time><Day>Tirsdag</Day><Hour>2</Hour></Not_Available_Time>
  <Active>true</Active></ConstraintTeacherNotAvailableTimes></Time_Constraints_List>"""
    p = tmp_path / "inf.fet"
    p.write_text(SMALL.replace("</Time_Constraints_List>", na), encoding="utf-8")
    assert (
        main(
            [
                "solve",
                "--fet",
                str(p),
                "--time-limit",
                "10",
                "--output",
                str(tmp_path / "o.fet"),
                "--workers",
                "1",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["status"] == "infeasible" and data["placed"] == 0
    assert "ConstraintTeacherNotAvailableTimes" in captured.err


BAD_CASES = {
    "missing file": (None, "file not found"),
    "not xml": ("this is not xml", "not valid XML"),
    "not fet": ("<?xml version='1.0'?><school/>", "not a FET file"),
    "unknown teacher": (
        SMALL.replace(
            "<Teacher>Bjørn</Teacher><Subject>Gym</Subject>",
            "<Teacher>Ola</Teacher><Subject>Gym</Subject>",
        ),
        "unknown teacher 'Ola'",
    ),
    "unknown subject": (
        SMALL.replace(
            "<Subject>Gym</Subject><Activity_Tag>", "<Subject>Kjemi</Subject><Activity_Tag>"
        ),
        "unknown subject 'Kjemi'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_exits_2_with_one_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, needle = BAD_CASES[case]
    p = tmp_path / "bad.fet"
    if text is not None:
        p.write_text(text, encoding="utf-8")
    code = main(
        ["solve", "--fet", str(p), "--time-limit", "5", "--output", str(tmp_path / "o.fet")]
    )
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["solve", "--time-limit", "5", "--output", "x.fet"],
        ["solve", "--fet", "x.fet", "--time-limit", "soon", "--output", "x.fet"],
        ["solve", "--fet", "x.fet", "--time-limit", "0", "--output", "x.fet"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1


def test_runs_as_a_process(small: Path, tmp_path: Path) -> None:
    code = "import sys; from oppvekst.timetable.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "solve",
            "--fet",
            str(small),
            "--time-limit",
            "10",
            "--output",
            str(tmp_path / "p.fet"),
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "solved"
