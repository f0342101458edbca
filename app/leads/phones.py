"""Phone numbers: parsed with `phonenumbers`, stored as E.164, Israel as the default region."""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    """The text is not a dialable phone number; the message says why."""


_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}
_POSSIBLE = {
    phonenumbers.ValidationResult.IS_POSSIBLE,
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
}
_REASONS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "wrong number of digits",
}


def to_e164(raw: str, region: str = "IL") -> str:
    """Turns `050-123-4567` or `+972 50 123 4567` into `+972501234567`, or raises InvalidPhone."""
    text = raw.strip()
    if not text:
        raise InvalidPhone("phone number is empty")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        reason = _PARSE_REASONS.get(exc.error_type, "not a phone number")
        raise InvalidPhone(f"{raw!r} is not a phone number ({reason})") from exc
    # "Possible" (right country code and length), not "valid": the library's list of assigned
    # ranges lags behind Israeli carriers, and would refuse numbers like 050-123-4567.
    result = phonenumbers.is_possible_number_with_reason(number)
    if result not in _POSSIBLE:
        reason = _REASONS.get(result, "not a valid number")
        raise InvalidPhone(f"{raw!r} is not a valid phone number ({reason})")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
