import pytest

from app.leads.phones import InvalidPhone, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("050-123-4567", "+972501234567"),
        ("0501234567", "+972501234567"),
        ("+972 50 123 4567", "+972501234567"),
        ("+972-50-1234567", "+972501234567"),
        ("972501234567", "+972501234567"),
        (" 03-612-3456 ", "+97236123456"),
        ("+1 (415) 555-2671", "+14155552671"),
    ],
)
def test_normalises_to_e164(raw: str, expected: str) -> None:
    assert to_e164(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("hello", "not a phone number"),
        ("050-123", "too short"),
        ("050-123-4567-8899", "too long"),
        ("+999 123 456 789", "unknown country code"),
    ],
)
def test_rejects_invalid_numbers_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhone, match=reason):
        to_e164(raw)
