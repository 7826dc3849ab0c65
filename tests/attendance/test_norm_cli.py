"""``oppvekst staffing norm --input unit.json``: the output contract and exit code 2 on each kind
of bad input."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oppvekst.attendance.cli import main

EXAMPLE: dict[str, Any] = {
    "date": "2026-12-15",
    "children": [{"id": "a", "birth_date": "2024-03-01", "weekly_hours": 41}],
    "staff": [{"id": "s1", "fte": 1.0, "pedagogical_leader": True, "basic_staffing": True}],
}
EXPECTED = {
    "under_3": 1,
    "over_3": 0,
    "children_corrected": "2.00",
    "fte_basic": "1.00",
    "corrected_per_fte": "2.00",
    "staffing_norm_met": True,
    "pedagogues_required": 1,
    "pedagogues_whole_fte": 1,
    "pedagogue_norm_met": True,
}


def run(tmp_path: Path, data: Any, raw: str | None = None) -> tuple[int, str, str]:
    path = tmp_path / "unit.json"
    path.write_text(raw if raw is not None else json.dumps(data), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["norm", "--input", str(path)], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_prints_the_contract_example(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, EXAMPLE)
    assert code == 0 and err == ""
    assert json.loads(out) == EXPECTED


def test_zero_basic_staffing_prints_null_ratio(tmp_path: Path) -> None:
    data = copy.deepcopy(EXAMPLE)
    data["staff"][0]["basic_staffing"] = False
    code, out, _err = run(tmp_path, data)
    result = json.loads(out)
    assert code == 0
    assert result["corrected_per_fte"] is None
    assert result["staffing_norm_met"] is False
    assert result["fte_basic"] == "0.00"


def test_august_boundary_through_the_cli(tmp_path: Path) -> None:
    data = copy.deepcopy(EXAMPLE)
    data["children"][0]["birth_date"] = "2023-12-31"
    data["date"] = "2026-07-31"
    assert json.loads(run(tmp_path, data)[1])["under_3"] == 1
    data["date"] = "2026-08-01"
    result = json.loads(run(tmp_path, data)[1])
    assert (result["under_3"], result["over_3"], result["children_corrected"]) == (0, 1, "1.00")


def _bad(mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    mutate(data)
    return data


BAD_INPUTS = {
    "malformed date": _bad(lambda d: d.update(date="2026-13-01")),
    "date not a string": _bad(lambda d: d.update(date=20261215)),
    "malformed birth date": _bad(lambda d: d["children"][0].update(birth_date="1.3.2024")),
    "negative hours": _bad(lambda d: d["children"][0].update(weekly_hours=-1)),
    "negative fte": _bad(lambda d: d["staff"][0].update(fte=-0.5)),
    "hours as text": _bad(lambda d: d["children"][0].update(weekly_hours="41")),
    "missing date": _bad(lambda d: d.pop("date")),
    "missing children": _bad(lambda d: d.pop("children")),
    "missing staff": _bad(lambda d: d.pop("staff")),
    "missing child id": _bad(lambda d: d["children"][0].pop("id")),
    "missing birth date": _bad(lambda d: d["children"][0].pop("birth_date")),
    "missing weekly hours": _bad(lambda d: d["children"][0].pop("weekly_hours")),
    "missing fte": _bad(lambda d: d["staff"][0].pop("fte")),
    "missing pedagogical_leader": _bad(lambda d: d["staff"][0].pop("pedagogical_leader")),
    "missing basic_staffing": _bad(lambda d: d["staff"][0].pop("basic_staffing")),
    "flag as string": _bad(lambda d: d["staff"][0].update(basic_staffing="yes")),
    "children not a list": _bad(lambda d: d.update(children={})),
    "child not an object": _bad(lambda d: d.update(children=[1])),
    "duplicate child id": _bad(lambda d: d["children"].append(dict(d["children"][0]))),
    "top level not an object": [],
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(tmp_path: Path, name: str) -> None:
    code, out, err = run(tmp_path, BAD_INPUTS[name])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.strip()


def test_malformed_json_exits_2(tmp_path: Path) -> None:
    code, _out, err = run(tmp_path, None, raw='{"date": ')
    assert code == 2 and "malformed JSON" in err and err.count("\n") == 1


def test_missing_file_and_bad_usage_exit_2(tmp_path: Path) -> None:
    err = io.StringIO()
    assert main(["norm", "--input", str(tmp_path / "nope.json")], stderr=err) == 2
    assert err.getvalue().count("\n") == 1
    err = io.StringIO()
    assert main(["norm"], stderr=err) == 2
    assert err.getvalue().count("\n") == 1


def test_console_script_reads_stdin() -> None:
    oppvekst = str(Path(sys.executable).with_name("oppvekst"))
    done = subprocess.run(
        [oppvekst, "staffing", "norm", "--input", "-"],
        input=json.dumps(EXAMPLE),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
