from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

from oppvekst.people.identity import InvalidIdentityNumber, make_number, parse
from oppvekst.people.models import validate_identity_number

# Skatteetaten's example numbers (domain/norway.md §5.3).
SKATTEETATEN_BOTH_RULES = ["02013299997", "30108299920"]
SKATTEETATEN_2032_ONLY = "30108299939"


@pytest.mark.parametrize("number", [*SKATTEETATEN_BOTH_RULES, "15108695088"])
def test_skatteetaten_examples_valid_under_classic_rule(number: str) -> None:
    assert parse(number).rule == "classic"


def test_2032_rule_number_is_accepted() -> None:
    result = parse(SKATTEETATEN_2032_ONLY)
    assert result.rule == "2032"
    assert not fodselsnummer.is_valid(SKATTEETATEN_2032_ONLY)  # stdnum knows only the old rule


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("15108695077", "checksum"),
        ("1510869508", "length"),
        ("151086950888", "length"),
        ("1510869508a", "digits"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(number: str, code: str) -> None:
    with pytest.raises(InvalidIdentityNumber) as err:
        parse(number)
    assert err.value.code == code


@pytest.mark.parametrize("date_digits", ["310286", "300287", "001090", "151390"])
def test_impossible_dates_are_refused(date_digits: str) -> None:
    # Correct check digits around an impossible date (31 Feb, 30 Feb, day 0, month 13).
    number = next(n for i in range(100, 1000) if (n := _with_check_digits(f"{date_digits}{i:03d}")))
    with pytest.raises(InvalidIdentityNumber) as err:
        parse(number)
    assert err.value.code == "date"


def _with_check_digits(nine: str) -> str | None:
    from oppvekst.people.identity import W1, W2

    k1 = (11 - sum(w * int(d) for w, d in zip(W1[:9], nine, strict=True)) % 11) % 11
    if k1 == 10:
        return None
    k2 = (11 - sum(w * int(d) for w, d in zip(W2[:10], nine + str(k1), strict=True)) % 11) % 11
    return None if k2 == 10 else f"{nine}{k1}{k2}"


def test_d_number_is_accepted() -> None:
    number = make_number(dt.date(1990, 5, 17), 123, d_number=True)
    assert number is not None and number.startswith("57")
    result = parse(number)
    assert result.kind == "dnr"
    assert result.birth_date_hint == dt.date(1990, 5, 17)


def test_synthetic_numbers_only_when_allowed() -> None:
    number = make_number(dt.date(2020, 5, 17), 512, synthetic=True)
    assert number is not None
    with pytest.raises(InvalidIdentityNumber) as err:
        parse(number)
    assert err.value.code == "synthetic"
    assert parse(number, allow_synthetic=True).synthetic


def test_h_numbers_are_refused() -> None:
    number = make_number(dt.date(2020, 5, 17), 512)
    assert number is not None
    h_number = _with_check_digits(number[:2] + f"{int(number[2:4]) + 40:02d}" + number[4:9])
    assert h_number is not None
    with pytest.raises(InvalidIdentityNumber) as err:
        parse(h_number)
    assert err.value.code == "help_number"


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2039, 12, 31)), st.integers(0, 999)
)
def test_agrees_with_stdnum_on_classic_numbers(birth: dt.date, individual: int) -> None:
    number = make_number(birth, individual)
    if number is None:
        return
    ours = parse(number)
    assert ours.rule == "classic"
    try:
        stdnum_ok = fodselsnummer.is_valid(number)
    except Exception:  # noqa: BLE001
        stdnum_ok = False
    if stdnum_ok:
        assert ours.birth_date_hint == fodselsnummer.get_birth_date(number)


def test_form_validator_gives_norwegian_message() -> None:
    with pytest.raises(ValidationError) as err:
        validate_identity_number("15108695077")
    assert "Kontrollsifrene" in str(err.value.messages[0])
    assert err.value.error_list[0].code == "identity_checksum"


@override_settings(ALLOW_SYNTHETIC_IDS=False)
def test_validator_refuses_synthetic_when_setting_is_off() -> None:
    number = make_number(dt.date(2020, 5, 17), 512, synthetic=True)
    assert number is not None
    with pytest.raises(ValidationError) as err:
        validate_identity_number(number)
    assert err.value.error_list[0].code == "identity_synthetic"
