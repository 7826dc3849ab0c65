"""Money helpers: amounts are integer øre inside the engine and ``Decimal`` kroner at the edges.

DESIGN.md: money is ``Decimal``, stored as integer øre; no float money. Rounding is half-up
(away from zero on a tie), the rounding norway.md § 2.6 recommends (there is no national rule).
Pure module: standard library only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

ORE_PER_KRONE: Final = 100
_ORE: Final = Decimal("0.01")


def div_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up to an integer, in exact integer arithmetic.

    A tie rounds away from zero, like ``Decimal.quantize(..., ROUND_HALF_UP)``.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((-2 * numerator + denominator) // (2 * denominator))


def to_ore(amount: Decimal | int | str) -> int:
    """Kroner (``Decimal``, ``int`` or a decimal string) to integer øre, rounded half-up."""
    if isinstance(amount, bool | float):
        raise TypeError("amount must be Decimal, int or str, not " + type(amount).__name__)
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    try:
        return int((value * ORE_PER_KRONE).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:  # more digits than the decimal context holds
        raise ValueError(f"amount out of range: {amount!r}") from None


def exact_hundredths(value: Decimal | int | str) -> int:
    """``value × 100`` as an integer, refusing more than two decimals instead of rounding.

    Used for kroner → øre and for hours and percentages held in hundredths.
    """
    scaled = to_ore(value)
    if Decimal(scaled) != Decimal(value) * ORE_PER_KRONE:
        raise ValueError(f"more than two decimals: {value!r}")
    return scaled


def exact_ore(amount: Decimal | int | str) -> int:
    """Kroner to integer øre, refusing amounts with more than two decimals instead of rounding."""
    return exact_hundredths(amount)


def from_ore(ore: int) -> Decimal:
    """Integer øre to ``Decimal`` kroner with exactly two decimals (``120000`` → ``1200.00``)."""
    return Decimal(ore).scaleb(-2).quantize(_ORE)


def format_nok(ore: int) -> str:
    """Integer øre as a kroner string with two decimals: ``120000`` → ``"1200.00"``."""
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), ORE_PER_KRONE)
    return f"{sign}{kroner}.{rest:02d}"
