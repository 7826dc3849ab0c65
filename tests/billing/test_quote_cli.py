"""``oppvekst billing quote --input household.json``: output contract and bad input (exit 2)."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oppvekst.billing.cli import main

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE: dict[str, Any] = {
    "month": "2025-09",
    "municipality": {"zone": "standard"},
    "household_income_nok": 450000,
    "reduced_fee_granted": True,
    "children": [
        {
            "id": "a",
            "birth_date": "2021-05-02",
            "service": "kindergarten",
            "place_percent": 100,
            "weekly_hours": 45,
        },
        {
            "id": "c",
            "birth_date": "2018-04-01",
            "service": "sfo",
            "grade": 2,
            "list_price_nok": 3200,
            "weekly_hours": 20,
        },
    ],
}


def household(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def with_child(index: int, **changes: Any) -> dict[str, Any]:
    data = household()
    data["children"][index].update(changes)
    return data


def without(data: dict[str, Any], *path: str | int) -> dict[str, Any]:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


def run_quote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: Any
) -> tuple[int, str, str]:
    path = tmp_path / "household.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    code = main(["quote", "--input", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def assert_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: Any, *words: str
) -> None:
    code, out, err = run_quote(tmp_path, capsys, payload)
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    for word in words:
        assert word in err, (word, err)


# -- output contract ----------------------------------------------------------------------------


def test_quote_prints_parent_fee_lines_per_child(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_quote(tmp_path, capsys, EXAMPLE)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert set(result) == {"children", "total_nok"}
    assert list(result["children"]) == ["a", "c"]
    a = result["children"]["a"]
    # 4-year-old, reduced fee granted: 6 % of 450 000 / 11 = 2 454.55 is above the maximum
    # price, and free core hours are a grant of their own (not requested here).
    assert a["fee_nok"] == "1200.00"
    assert a["lines"] == [
        {
            "rule": "kg.max_price.standard.2025-08",
            "amount_nok": "1200.00",
            "source": "FOR-2005-12-16-1478 § 1; maksimalpris etter Stortingets budsjettvedtak",
        },
    ]
    c = result["children"]["c"]
    # 6 % of 450 000 / 11 = 2 454.55 is above the 1 280.00 left after the free hours, so the
    # grant does not lower the SFO bill (norway.md § 3: a ceiling).
    assert c["fee_nok"] == "1280.00"
    assert [line["rule"] for line in c["lines"]] == ["sfo.list_price", "sfo.free_hours.grade2"]
    assert result["total_nok"] == "2480.00"


def test_quote_gives_free_core_hours_only_when_granted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_quote(tmp_path, capsys, household(free_core_hours_granted=True))
    assert (code, err) == (0, "")
    a = json.loads(out)["children"]["a"]
    assert a["fee_nok"] == "666.67"  # 1 200 * 25 / 45
    assert a["lines"][-1] == {
        "rule": "kg.core_hours.2025-08",
        "amount_nok": "-533.33",
        "source": "FOR-2005-12-16-1478 § 3 (gratis kjernetid)",
    }
    # The SFO child is untouched by the kindergarten-only grant.
    assert json.loads(out)["children"]["c"]["fee_nok"] == "1280.00"


def test_quote_reproduces_the_three_sibling_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kids = [
        {"id": k, "birth_date": born, "service": "kindergarten", "place_percent": 100}
        | {"weekly_hours": 45}
        for k, born in (("x", "2020-03-01"), ("y", "2021-03-01"), ("z", "2023-03-01"))
    ]
    payload = {"month": "2025-09", "municipality": {"zone": "standard"}, "children": kids}
    code, out, _ = run_quote(tmp_path, capsys, payload)
    result = json.loads(out)
    assert code == 0
    assert [result["children"][k]["fee_nok"] for k in "xyz"] == ["1200.00", "840.00", "0.00"]
    assert result["total_nok"] == "2040.00"


def test_quote_leaves_food_money_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_quote(tmp_path, capsys, with_child(0, food_nok=489))
    result = json.loads(out)
    assert code == 0
    assert result["children"]["a"]["fee_nok"] == "1200.00"
    assert all("food" not in line["rule"] for line in result["children"]["a"]["lines"])
    assert result["total_nok"] == "2480.00"


def test_quote_income_and_grant_are_optional(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = without(without(household(), "household_income_nok"), "reduced_fee_granted")
    code, out, _ = run_quote(tmp_path, capsys, payload)
    assert code == 0
    assert json.loads(out)["children"]["a"]["fee_nok"] == "1200.00"


def test_quote_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(EXAMPLE)))
    assert main(["quote", "--input", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["total_nok"] == "2480.00"


def test_quote_runs_as_a_process() -> None:
    code = "import sys; from oppvekst.billing.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, "quote", "--input", "-"],
        input=json.dumps(EXAMPLE),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total_nok"] == "2480.00"


# -- bad input: exit 2, one line on stderr naming the problem -----------------------------------


def test_unknown_service_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_bad_input(tmp_path, capsys, with_child(0, service="daycare"), "service", "daycare")


def test_unknown_zone_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_bad_input(tmp_path, capsys, household(municipality={"zone": "oslo"}), "zone", "oslo")


@pytest.mark.parametrize("percent", [0, 101, "0.5", -10])
def test_place_percent_outside_1_to_100_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], percent: int | str
) -> None:
    value = json.loads(str(percent))
    assert_bad_input(tmp_path, capsys, with_child(0, place_percent=value), "place_percent")


@pytest.mark.parametrize("born", ["2021-02-30", "02.05.2021", "20210502", "2021-5-2"])
def test_malformed_birth_date_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], born: str
) -> None:
    assert_bad_input(tmp_path, capsys, with_child(0, birth_date=born), "birth_date")


def test_birth_date_after_the_month_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_bad_input(tmp_path, capsys, with_child(0, birth_date="2025-10-01"), "birth_date")


@pytest.mark.parametrize("month", ["2025-13", "2025-9", "09-2025", "2025-09-01", 202509])
def test_malformed_month_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], month: Any
) -> None:
    assert_bad_input(tmp_path, capsys, household(month=month), "month")


@pytest.mark.parametrize(
    "text", ['{"month": "2025-09",', "not json", '{"month": NaN}', '{"a": 1, "a": 2}', ""]
)
def test_malformed_json_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    assert_bad_input(tmp_path, capsys, text, "invalid JSON")


def test_input_that_is_not_an_object_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_bad_input(tmp_path, capsys, [EXAMPLE], "object")


@pytest.mark.parametrize(
    ("path", "word"),
    [
        (("month",), "month"),
        (("municipality",), "municipality"),
        (("municipality", "zone"), "zone"),
        (("children",), "children"),
        (("children", 0, "id"), "id"),
        (("children", 0, "birth_date"), "birth_date"),
        (("children", 0, "service"), "service"),
        (("children", 0, "weekly_hours"), "weekly_hours"),
        (("children", 0, "place_percent"), "place_percent"),
        (("children", 1, "grade"), "grade"),
        (("children", 1, "list_price_nok"), "list_price_nok"),
    ],
)
def test_missing_field_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: tuple[str | int, ...], word: str
) -> None:
    assert_bad_input(tmp_path, capsys, without(household(), *path), "missing field", word)


@pytest.mark.parametrize(
    ("payload", "word"),
    [
        (household(household_income_nok="450000"), "household_income_nok"),
        (household(reduced_fee_granted="yes"), "reduced_fee_granted"),
        (household(free_core_hours_granted=1), "free_core_hours_granted"),
        (household(municipality="standard"), "municipality"),
        (household(children={"a": {}}), "children"),
        (household(children=["a"]), "children[0]"),
        (with_child(0, id=7), "id"),
        (with_child(0, place_percent="100"), "place_percent"),
        (with_child(0, place_percent=True), "place_percent"),
        (with_child(0, weekly_hours=[45]), "weekly_hours"),
        (with_child(1, grade=2.0), "grade"),
        (with_child(1, grade="2"), "grade"),
        (with_child(1, list_price_nok="3200"), "list_price_nok"),
        (with_child(0, birth_date=20210502), "birth_date"),
    ],
)
def test_wrong_type_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: dict[str, Any], word: str
) -> None:
    assert_bad_input(tmp_path, capsys, payload, word)


def test_duplicate_child_ids_are_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_bad_input(tmp_path, capsys, with_child(1, id="a"), "duplicate child id")


def test_negative_income_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = household(household_income_nok=-1)
    assert_bad_input(tmp_path, capsys, payload, "household_income_nok", "negative")


@pytest.mark.parametrize("grade", [0, 8, -1])
def test_sfo_grade_outside_1_to_7_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], grade: int
) -> None:
    assert_bad_input(tmp_path, capsys, with_child(1, grade=grade), "grade")


def test_grant_without_income_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = without(household(), "household_income_nok")
    assert_bad_input(tmp_path, capsys, payload, "household_income_nok", "reduced_fee_granted")


def test_free_core_hours_grant_without_income_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = without(
        household(reduced_fee_granted=False, free_core_hours_granted=True), "household_income_nok"
    )
    assert_bad_input(tmp_path, capsys, payload, "household_income_nok", "free_core_hours_granted")


@pytest.mark.parametrize(
    ("payload", "word"),
    [
        (with_child(0, weekly_hours=0), "weekly_hours"),
        (with_child(0, weekly_hours=169), "weekly_hours"),
        (with_child(0, weekly_hours=45.123), "weekly_hours"),
        (with_child(1, list_price_nok=-1), "list_price_nok"),
        (json.dumps(EXAMPLE).replace("450000", "1e400"), "household_income_nok"),
    ],
)
def test_numbers_out_of_range_are_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: Any, word: str
) -> None:
    assert_bad_input(tmp_path, capsys, payload, word)


def test_month_without_price_rules_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = household(month="2003-09")
    payload["children"][0]["birth_date"] = "2001-01-01"
    payload["children"][1]["birth_date"] = "1996-01-01"
    assert_bad_input(tmp_path, capsys, payload, "no price rules", "2003-09")


def test_missing_input_file_is_rejected(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["quote", "--input", str(tmp_path / "nope.json")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "nope.json" in err


@pytest.mark.parametrize("argv", [[], ["quote"], ["price", "--input", "x"], ["quote", "--bad"]])
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
