"""Rule 1's calendar: issued_on plus whole months, clamped to the end of a shorter month."""
from datetime import date

import pytest

from scoring.dates import add_months, parse_date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 3, 10), 12, date(2026, 3, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 5, 17), 0, date(2025, 5, 17)),
        (date(2025, 12, 31), 0, date(2025, 12, 31)),
        (date(2025, 11, 30), 27, date(2028, 2, 29)),
        (date(2025, 1, 30), 2, date(2025, 3, 30)),
        (date(2025, 1, 29), 1, date(2025, 2, 28)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-23", date(2026, 11, 23)),
    (date(2026, 1, 2), date(2026, 1, 2)),
    (None, None),
    ("", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_parse_date_refuses_a_non_date():
    with pytest.raises(ValueError):
        parse_date("23/11/2026")
