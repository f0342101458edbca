"""Email addresses as callers say them, in English and Hebrew, normalised for the read-back."""

from __future__ import annotations

import pytest

from app.language.understanding.email import email_for_reading, spoken_email


@pytest.mark.parametrize(
    ("said", "address"),
    [
        ("dani at gmail dot com", "dani@gmail.com"),
        ("Dani at Gmail dot com", "dani@gmail.com"),
        ("דני שטרודל ג'ימייל נקודה קום", "dani@gmail.com"),
        ("המייל שלי הוא dani@gmail.com", "dani@gmail.com"),
        ("dani dot cohen at walla dot co dot il", "dani.cohen@walla.co.il"),
        ("רון קו תחתון 12 שטרודל וואלה נקודה קו נקודה איל", "ron_12@walla.co.il"),
        ("roni123 at hotmail dot com", "roni123@hotmail.com"),
    ],
)
def test_spoken_addresses_are_normalised(said: str, address: str) -> None:
    assert spoken_email(said) == address


@pytest.mark.parametrize(
    "said",
    ["כן, מתאים לי", "at the office", "dani at gmail", "שטרודל שטרודל", "", "x" * 5000],
)
def test_words_that_are_no_address_are_not_taken_for_one(said: str) -> None:
    assert spoken_email(said) is None


def test_the_read_back_says_the_symbols_in_hebrew() -> None:
    assert email_for_reading("dani.cohen@gmail.com") == "dani נקודה cohen שטרודל gmail נקודה com"
