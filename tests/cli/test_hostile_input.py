"""Every command line keeps its contract under hostile input: exactly one line on stderr and
exit code 2, never a traceback; outputs are written atomically and a device node is never
replaced (oppvekst/safeio.py)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from oppvekst import safeio
from oppvekst.admission.cli import main as admission_main
from oppvekst.billing.cli import main as billing_main
from oppvekst.cli import main as oppvekst_main
from oppvekst.timetable.cli import main as timetable_main
from tests.timetable.test_fet import SMALL

ROOT = Path(__file__).resolve().parents[2]
EMPTY_INSTANCE = '{"units": [], "applicants": []}'


def _hostile(tmp_path: Path, kind: str) -> str:
    if kind == "dev-zero":
        return "/dev/zero"
    target = tmp_path / f"{kind}.in"
    if kind == "huge-int":
        target.write_text('{"units": [], "applicants": [], "x": ' + "9" * 5000 + "}")
    elif kind == "deep":
        target.write_text("[" * 200_000 + "]" * 200_000)
    elif kind == "not-utf8":
        target.write_bytes(b'{"units": ["\xff\xfe"], "applicants": []}')
    elif kind == "utf16":
        target.write_bytes('{"units": [], "applicants": []}'.encode("utf-16"))
    return str(target)


def _admission(path: str, out: Path) -> int:
    return admission_main(["solve", "--input", path, "--output", str(out)])


def _billing(path: str, out: Path) -> int:
    return billing_main(["quote", "--input", path])


def _timetable(path: str, out: Path) -> int:
    return timetable_main(["solve", "--fet", path, "--time-limit", "5", "--output", str(out)])


CLIS: dict[str, Callable[[str, Path], int]] = {
    "admission": _admission,
    "billing": _billing,
    "timetable": _timetable,
}


def _assert_one_line(err: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and len(err) < 600, err


@pytest.mark.parametrize("kind", ["huge-int", "deep", "not-utf8", "utf16", "dev-zero"])
@pytest.mark.parametrize("cli", list(CLIS))
def test_hostile_input_is_one_line_and_exit_2(
    cli: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if cli == "timetable" and kind == "utf16":
        pytest.skip("XML declares its own encoding; a UTF-16 FET file is legitimate")
    out = tmp_path / "out"
    assert CLIS[cli](_hostile(tmp_path, kind), out) == 2
    _assert_one_line(capsys.readouterr().err)
    assert not out.exists()


def test_a_fet_file_that_is_not_utf8_names_the_encoding_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fet = tmp_path / "latin1.fet"
    fet.write_bytes(SMALL.replace("Gym", "Gym\xe6").encode("latin-1", "replace"))
    assert _timetable(str(fet), tmp_path / "o.fet") == 2
    err = capsys.readouterr().err
    _assert_one_line(err)
    assert "None" not in err and "encoding" in err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--seed", "99999999999"),
        ("--seed", "9" * 5000),
        ("--seed", "-1"),
        ("--time-limit", "nan"),
        ("--time-limit", "inf"),
        ("--time-limit", "-5"),
        ("--workers", "-3"),
    ],
)
def test_timetable_refuses_out_of_range_numbers(
    option: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fet = tmp_path / "in.fet"
    fet.write_text(SMALL, encoding="utf-8")
    args = {"--time-limit": "5", "--seed": "0", "--workers": "1"} | {option: value}
    argv = ["solve", "--fet", str(fet), "--output", str(tmp_path / "o.fet")]
    for name, given in args.items():
        argv += [name, given]
    assert timetable_main(argv) == 2
    err = capsys.readouterr().err
    _assert_one_line(err)
    assert option in err
    assert not (tmp_path / "o.fet").exists()


def _instance(tmp_path: Path) -> str:
    path = tmp_path / "instance.json"
    path.write_text(EMPTY_INSTANCE)
    return str(path)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_dev_full_is_reported_and_the_device_stays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admission_main(["solve", "--input", _instance(tmp_path), "--output", "/dev/full"]) == 2
    err = capsys.readouterr().err
    _assert_one_line(err)
    assert "No space left" in err
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_output_to_dev_null_is_written_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admission_main(["solve", "--input", _instance(tmp_path), "--output", "/dev/null"]) == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("where", ["missing-dir", "directory", "read-only-dir"])
def test_unwritable_output_is_one_line_and_exit_2(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if where == "missing-dir":
        target = tmp_path / "nope" / "out.json"
    elif where == "directory":
        target = tmp_path
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only directories")
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        target = ro / "out.json"
    fet = tmp_path / "in.fet"
    fet.write_text(SMALL, encoding="utf-8")
    assert admission_main(["solve", "--input", _instance(tmp_path), "--output", str(target)]) == 2
    _assert_one_line(capsys.readouterr().err)
    assert _timetable(str(fet), target) == 2
    _assert_one_line(capsys.readouterr().err)


def test_atomic_write_replaces_a_regular_file_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    safeio.write_atomically(link, "new")
    assert target.read_text() == "new" and link.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_json_reader_accepts_ordinary_input_and_keeps_decimals(tmp_path: Path) -> None:
    from decimal import Decimal

    path = tmp_path / "x.json"
    path.write_text('\ufeff{"a": [1, 2.50, {"b": null}], "n": -' + "9" * 900 + "}")
    data = safeio.read_json(path, parse_float=Decimal)
    assert data["a"] == [1, Decimal("2.50"), {"b": None}]
    assert len(str(data["n"])) == 901


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--scale", "nan"],
        ["demo", "--seed", "9" * 5000],
        ["demo", "--seed", "-1"],
        ["billing_load_rates", "--file", "/dev/zero"],
    ],
)
def test_django_commands_report_bad_arguments_in_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert oppvekst_main(argv) == 2
    _assert_one_line(capsys.readouterr().err)


def test_console_script_turns_hostile_json_into_one_line(tmp_path: Path) -> None:
    deep = _hostile(tmp_path, "deep")
    script = "import sys; from oppvekst.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", script, "billing", "quote", "--input", deep],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    _assert_one_line(done.stderr)


def test_stats_needs_no_demo_mode_and_reports_a_missing_database_in_one_line(
    tmp_path: Path,
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"OPPVEKST_DEMO", "SECRET_KEY", "OPPVEKST_SECRET_KEY", "DATABASE_URL"}
        and not k.startswith(("OPPVEKST_TESTING", "DJANGO_SETTINGS"))
    }
    env["OPPVEKST_VAR_DIR"] = str(tmp_path / "fresh-clone")
    script = "import sys; from oppvekst.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", script, "stats", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    _assert_one_line(done.stderr)
    assert "SECRET_KEY" not in done.stderr and "migrate" in done.stderr
