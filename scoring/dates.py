"""Calendar rules for evidence validity."""
from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """`start` plus whole calendar months, clamped to the end of a shorter month (Jan 31 + 1 = Feb 28)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def parse_date(value: str | date | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not the locale's


def day_in_words(day: date) -> str:
    """Haven's one date style for people, "1 Dec 2026" (reports.formatting.long_date uses it too)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
