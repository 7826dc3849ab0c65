"""Norwegian national identity numbers: fødselsnummer and D-nummer (domain/norway.md §5).

Pure module. Both check-digit rules are read in parallel, as Skatteetaten requires
("lese både dagens og ny kontrollberegning parallelt", §5.3): the classic rule where the first
control remainder must be 0, and the 2032 rule where it may be 0-3. The second control digit is
unchanged. Dates, D-/synthetic offsets and century are hints only (§5.3); a number is still
refused when its day and month cannot form a date in any century.

Input is normalised before it is validated (``normalise``): every Unicode decimal digit
(fullwidth ０-９, Arabic-Indic ٠-٩, Devanagari, ...) becomes its ASCII digit, and whitespace and
invisible format characters (zero-width space, direction marks) are dropped. ``parse`` then
accepts ASCII digits only, so one number has one spelling and uniqueness holds in the database.

Synthetic test numbers (Skatteetaten/Tenor: month + 80, §5.2) are accepted only when the caller
allows them (setting OPPVEKST_ALLOW_SYNTHETIC_IDS). H-numbers (month + 40) and FH-numbers
(first digit 8 or 9) are internal help numbers and are refused.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
CLASSIC_K1_REMAINDERS = (0,)
RULE_2032_K1_REMAINDERS = (0, 1, 2, 3)


class InvalidIdentityNumber(ValueError):
    """Raised with a stable `code`: length, digits, checksum, date, help_number, synthetic."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class IdentityNumber:
    value: str
    kind: str  # "fnr" or "dnr"
    synthetic: bool
    rule: str  # "classic" or "2032"
    birth_date_hint: dt.date | None


def normalise(value: str) -> str:
    """The number as ASCII digits: Unicode decimal digits mapped, whitespace and format
    characters (category Cf) dropped. Anything else is kept, for ``parse`` to refuse."""
    out: list[str] = []
    for char in value:
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue
        if not char.isascii() and unicodedata.category(char) == "Nd":
            out.append(str(unicodedata.decimal(char)))
        else:
            out.append(char)
    return "".join(out)


def _remainder(weights: tuple[int, ...], digits: str) -> int:
    return sum(w * int(d) for w, d in zip(weights, digits, strict=False)) % 11


def checksum_rule(digits: str) -> str | None:
    """'classic', '2032' or None when neither check-digit rule holds."""
    if _remainder(W2, digits) != 0:
        return None
    r1 = _remainder(W1, digits[:10])
    if r1 in CLASSIC_K1_REMAINDERS:
        return "classic"
    if r1 in RULE_2032_K1_REMAINDERS:
        return "2032"
    return None


def _century_candidates(individual: int, year2: int) -> list[int]:
    """Centuries the individnummer allows for this year (§5.1), most likely first."""
    out: list[int] = []
    if 500 <= individual <= 749 and year2 >= 54:
        out.append(1800)
    if individual <= 499 or (individual >= 900 and year2 >= 40):
        out.append(1900)
    if individual >= 500 and year2 <= 39:
        out.append(2000)
    for century in (2000, 1900, 1800):  # widened D-number series (§5.2): any century may do
        if century not in out:
            out.append(century)
    return out


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse(value: str, *, allow_synthetic: bool = False) -> IdentityNumber:
    """Validate and describe an identity number, or raise InvalidIdentityNumber."""
    digits = normalise(value)
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidIdentityNumber("digits", "An identity number has digits only.")
    if len(digits) != 11:
        raise InvalidIdentityNumber("length", "An identity number has exactly 11 digits.")
    rule = checksum_rule(digits)
    if rule is None:
        raise InvalidIdentityNumber("checksum", "The check digits do not match.")
    day, month, year2 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    individual = int(digits[6:9])
    if digits[0] in "89":
        raise InvalidIdentityNumber("help_number", "Help numbers (FH) are not accepted.")
    kind = "fnr"
    if day > 40:
        kind, day = "dnr", day - 40
    synthetic = False
    if month > 80:
        synthetic, month = True, month - 80
    elif month > 40:
        raise InvalidIdentityNumber("help_number", "Help numbers (H) are not accepted.")
    if synthetic and not allow_synthetic:
        raise InvalidIdentityNumber("synthetic", "Synthetic test numbers are not accepted here.")
    hint: dt.date | None = None
    for century in _century_candidates(individual, year2):
        hint = _valid_date(century + year2, month, day)
        if hint is not None:
            break
    if hint is None:
        raise InvalidIdentityNumber("date", "The first six digits are not a valid date.")
    return IdentityNumber(digits, kind, synthetic, rule, hint)


def is_valid(value: str, *, allow_synthetic: bool = False) -> bool:
    try:
        parse(value, allow_synthetic=allow_synthetic)
    except InvalidIdentityNumber:
        return False
    return True


def make_number(
    birth_date: dt.date, individual: int, *, synthetic: bool = False, d_number: bool = False
) -> str | None:
    """Build a valid classic-rule number for the date and individnummer, or None if the
    check digits come out as 10 (then that individnummer cannot be used)."""
    day = birth_date.day + (40 if d_number else 0)
    month = birth_date.month + (80 if synthetic else 0)
    base = f"{day:02d}{month:02d}{birth_date.year % 100:02d}{individual:03d}"
    k1 = (11 - _remainder(W1[:9], base)) % 11
    if k1 == 10:
        return None
    k2 = (11 - _remainder(W2[:10], base + str(k1))) % 11
    if k2 == 10:
        return None
    return f"{base}{k1}{k2}"
