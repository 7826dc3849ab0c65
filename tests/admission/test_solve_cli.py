"""`oppvekst admission solve --input instance.json --output result.json` (admission.cli)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oppvekst.admission.cli import main

ROOT = Path(__file__).resolve().parents[2]


def instance() -> dict[str, Any]:
    return {
        "units": [
            {"id": "K1", "capacity": {"under3": 1, "over3": 2}},
            {"id": "K7", "capacity": {"under3": 1}},
        ],
        "applicants": [
            {
                "id": "A1",
                "age_group": "under3",
                "choices": ["K1", "K7"],
                "priority": {"K1": 0},
                "tiebreak": 0.5,
            },
            {
                "id": "A2",
                "age_group": "under3",
                "choices": ["K1", "K7"],
                "priority": {},
                "tiebreak": 0.1,
            },
            {
                "id": "A3",
                "age_group": "under3",
                "choices": ["K1", "K7"],
                "priority": {"K7": 1.5},
                "tiebreak": 0.9,
            },
            {
                "id": "A4",
                "age_group": "over3",
                "choices": ["K7", "K1"],
                "priority": {},
                "tiebreak": 1,
            },
        ],
    }


EXPECTED = {
    "assignments": {"A1": "K1", "A2": None, "A3": "K7", "A4": "K1"},
    "cutoffs": {
        "K1": {"under3": [0, 0.5, "A1"], "over3": [100, 1, "A4"]},
        "K7": {"under3": [1.5, 0.9, "A3"]},
    },
}


def run(tmp_path: Path, data: Any, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    src = tmp_path / "instance.json"
    src.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    code = main(["solve", "--input", str(src), "--output", str(tmp_path / "result.json")])
    out, err = capsys.readouterr()
    return code, out, err


def assert_bad_input(
    tmp_path: Path, data: Any, capsys: pytest.CaptureFixture[str], *words: str
) -> None:
    code, out, err = run(tmp_path, data, capsys)
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    for word in words:
        assert word in err, (word, err)
    assert not (tmp_path / "result.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["instance.json"]  # no temporary left over


def modified(path: str, value: Any, *, delete: bool = False) -> dict[str, Any]:
    """The instance with one field changed, e.g. modified("applicants.0.tiebreak", "x")."""
    data = instance()
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if delete:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


# --- success ---------------------------------------------------------------------------------


def test_solve_writes_assignments_cutoffs_and_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(tmp_path, instance(), capsys)
    assert (code, out, err) == (0, "", "")
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    seconds = result.pop("seconds")
    assert isinstance(seconds, float) and seconds >= 0
    assert result == EXPECTED
    # priorities come back as given: int stays int, float stays float
    assert isinstance(result["cutoffs"]["K1"]["under3"][0], int)
    assert isinstance(result["cutoffs"]["K7"]["under3"][0], float)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instance.json", "result.json"]


def test_solve_replaces_an_existing_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "result.json").write_text("old", encoding="utf-8")
    code, _, _ = run(tmp_path, instance(), capsys)
    assert code == 0
    assert json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))["assignments"]


def test_any_json_string_is_a_valid_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.0.id", 'Æøå \ud800 "x"')
    code, _, err = run(tmp_path, data, capsys)
    assert (code, err) == (0, "")
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert result["assignments"]['Æøå \ud800 "x"'] == "K1"


def test_age_group_without_capacity_is_no_seat_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(tmp_path, modified("applicants.3.age_group", "school"), capsys)
    assert (code, err) == (0, "")
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert result["assignments"]["A4"] is None


def test_bad_input_leaves_an_existing_output_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "result.json").write_text("keep", encoding="utf-8")
    code, _, _ = run(tmp_path, "{", capsys)
    assert code == 2
    assert (tmp_path / "result.json").read_text(encoding="utf-8") == "keep"


def test_console_script_dispatches_to_solve(tmp_path: Path) -> None:
    src = tmp_path / "instance.json"
    src.write_text(json.dumps(instance()), encoding="utf-8")
    dst = tmp_path / "out" / "result.json"
    dst.parent.mkdir()
    script = "import sys; from oppvekst.cli import main; sys.exit(main(sys.argv[1:]))"
    args = ["admission", "solve", "--input", str(src), "--output", str(dst)]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert json.loads(dst.read_text(encoding="utf-8"))["assignments"] == EXPECTED["assignments"]
    done = subprocess.run(
        [sys.executable, "-c", script, *args[:3], str(tmp_path / "missing.json"), *args[4:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not found" in done.stderr


# --- bad input: exit 2, one line on stderr naming the problem, nothing written ----------------


def test_missing_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["solve", "--input", str(tmp_path / "nope.json"), "--output", str(tmp_path / "r.json")]
    )
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "not found" in err and "nope.json" in err
    assert not (tmp_path / "r.json").exists()


def test_input_is_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["solve", "--input", str(tmp_path), "--output", str(tmp_path / "r.json")])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "cannot read" in err


def test_malformed_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_bad_input(tmp_path, '{"units": [}', capsys, "malformed JSON")


def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "instance.json").write_bytes(b'{"units": ["\xff"]}')
    code = main(
        [
            "solve",
            "--input",
            str(tmp_path / "instance.json"),
            "--output",
            str(tmp_path / "result.json"),
        ]
    )
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "malformed JSON" in err


def test_nan_is_malformed_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = json.dumps(instance()).replace('"tiebreak": 0.5', '"tiebreak": NaN')
    assert_bad_input(tmp_path, text, capsys, "malformed JSON", "NaN")


def test_top_level_not_an_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_bad_input(tmp_path, [1, 2], capsys, "top level")


def test_missing_top_level_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_bad_input(tmp_path, {"units": []}, capsys, "missing field 'applicants'")


def test_missing_applicant_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.1.tiebreak", None, delete=True)
    assert_bad_input(tmp_path, data, capsys, "applicants[1]", "missing field 'tiebreak'")


def test_missing_priority_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.0.priority", None, delete=True)
    assert_bad_input(tmp_path, data, capsys, "missing field 'priority'")


def test_missing_unit_capacity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("units.1.capacity", None, delete=True)
    assert_bad_input(tmp_path, data, capsys, "units[1]", "missing field 'capacity'")


def test_unknown_unit_in_choices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.2.choices", ["K1", "K9"])
    assert_bad_input(tmp_path, data, capsys, "'A3'", "unknown unit 'K9' in choices")


def test_unknown_unit_in_priority(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.0.priority", {"K8": 0})
    assert_bad_input(tmp_path, data, capsys, "'A1'", "unknown unit 'K8' in priority")


def test_duplicate_applicant_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.3.id", "A2")
    assert_bad_input(tmp_path, data, capsys, "duplicate applicant id 'A2'")


def test_duplicate_unit_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("units.1.id", "K1")
    assert_bad_input(tmp_path, data, capsys, "duplicate unit id 'K1'")


def test_duplicate_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.1.choices", ["K1", "K7", "K1"])
    assert_bad_input(tmp_path, data, capsys, "'A2'", "'K1' appears twice")


def test_negative_capacity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("units.0.capacity", {"under3": -1})
    assert_bad_input(tmp_path, data, capsys, "'K1'", "negative capacity")


def test_capacity_not_an_int(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("units.0.capacity", {"under3": 1.5})
    assert_bad_input(tmp_path, data, capsys, "'K1'", "must be an int")


def test_capacity_bool_is_not_an_int(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("units.0.capacity", {"under3": True})
    assert_bad_input(tmp_path, data, capsys, "'K1'", "must be an int", "True")


def test_capacity_not_an_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_bad_input(tmp_path, modified("units.0.capacity", 12), capsys, "'K1'", "capacity")


def test_tiebreak_not_a_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.1.tiebreak", "0.1")
    assert_bad_input(tmp_path, data, capsys, "'A2'", "tiebreak must be a finite number")


def test_tiebreak_bool_is_not_a_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.1.tiebreak", False)
    assert_bad_input(tmp_path, data, capsys, "'A2'", "tiebreak")


def test_choices_not_a_list_of_strings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.1.choices", ["K1", 7])
    assert_bad_input(tmp_path, data, capsys, "'A2'", "choices must be a list")


def test_choices_a_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.1.choices", "K1")
    assert_bad_input(tmp_path, data, capsys, "'A2'", "choices must be a list")


def test_priority_value_not_a_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.0.priority", {"K1": "0"})
    assert_bad_input(tmp_path, data, capsys, "'A1'", "priority at 'K1'")


def test_priority_value_bool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.0.priority", {"K1": True})
    assert_bad_input(tmp_path, data, capsys, "'A1'", "priority at 'K1'")


def test_priority_not_an_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.0.priority", ["K1"])
    assert_bad_input(tmp_path, data, capsys, "'A1'", "priority must be an object")


def test_age_group_not_a_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.0.age_group", 3)
    assert_bad_input(tmp_path, data, capsys, "'A1'", "age_group must be a string")


def test_applicant_id_not_a_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("applicants.0.id", 1)
    assert_bad_input(tmp_path, data, capsys, "applicants[0]", "id must be a non-empty string")


def test_unit_id_not_a_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = modified("units.0.id", None)
    assert_bad_input(tmp_path, data, capsys, "units[0]", "id must be a non-empty string")


def test_applicants_not_a_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_bad_input(
        tmp_path, {"units": [], "applicants": {}}, capsys, "'applicants' must be a list"
    )


def test_missing_argument(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["solve", "--input", str(tmp_path / "x.json")])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "--output" in err


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["frobnicate"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "frobnicate" in err


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "instance.json"
    src.write_text(json.dumps(instance()), encoding="utf-8")
    code = main(["solve", "--input", str(src), "--output", str(tmp_path / "no" / "dir" / "r.json")])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "cannot write output" in err
