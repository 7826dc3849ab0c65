"""`oppvekst reports gsi|basil`: the CLI contract, and totals that agree with `oppvekst stats`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oppvekst.core.selectors import municipality_stats
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db


def _run(*args: str) -> dict:
    out = StringIO()
    call_command("reports", *args, stdout=out)
    return json.loads(out.getvalue())


def test_gsi_has_the_contract_shape_and_its_total_equals_stats() -> None:
    day = DEMO_TODAY.isoformat()
    report = _run("gsi", "--date", day, "--municipality", "0231")
    assert set(report) == {"municipality", "date", "schools", "totals"}
    assert report["municipality"] == "0231" and report["date"] == day
    school = report["schools"][0]
    assert set(school) == {
        "unit_id",
        "name",
        "pupils",
        "pupils_by_grade",
        "teacher_fte",
        "group_size_2",
        "sfo_pupils",
    }
    assert set(school["group_size_2"]) == {"1-4", "5-7", "8-10"}
    stats = next(m for m in municipality_stats(DEMO_TODAY) if m["number"] == "0231")
    assert report["totals"]["pupils"] == stats["pupils"]
    assert report["totals"]["pupils"] == sum(s["pupils"] for s in report["schools"])


def test_basil_has_the_contract_shape_and_its_total_equals_stats() -> None:
    day = DEMO_TODAY.isoformat()
    report = _run("basil", "--date", day, "--municipality", "0231")
    assert set(report) == {"municipality", "date", "kindergartens", "totals"}
    kg = report["kindergartens"][0]
    assert set(kg) == {
        "unit_id",
        "name",
        "owner",
        "children",
        "under_3",
        "over_3",
        "children_corrected",
        "fte_basic",
        "pedagogues_required",
    }
    assert kg["owner"] in ("municipal", "private")
    stats = next(m for m in municipality_stats(DEMO_TODAY) if m["number"] == "0231")
    assert report["totals"]["children"] == stats["children"]


@pytest.mark.parametrize(
    "args",
    [
        ("gsi", "--date", "2026-13-01", "--municipality", "0231"),
        ("gsi", "--date", "01.10.2026", "--municipality", "0231"),
        ("basil", "--date", "２０２６-12-15", "--municipality", "0231"),
        ("basil", "--date", "2026-12-15", "--municipality", "9999"),
        ("basil", "--date", "2026-12-15", "--municipality", "02311"),
    ],
)
def test_bad_input_is_refused_with_exit_code_2(args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("reports", *args)
    assert raised.value.returncode == 2
    assert "\n" not in str(raised.value)
