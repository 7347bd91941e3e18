"""Amounts of money in Vietnamese đồng, as people read them: 1200000 -> "1.200.000 đ".

Vietnamese groups thousands with dots. Every page, message and note formats amounts here; the
unit differs by place ("đ" on pages, "đồng" in messages, none where the template adds it).
"""

from __future__ import annotations

from decimal import Decimal


def vnd(amount: int | Decimal | str, unit: str = "đ") -> str:
    """75000 -> "75.000 đ"; `unit=""` gives the bare number "75.000"."""
    text = f"{int(amount):,}".replace(",", ".")
    return f"{text} {unit}" if unit else text
