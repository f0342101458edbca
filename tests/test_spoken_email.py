"""Email addresses as callers say them, in English and Hebrew, normalised for the read-back."""

from __future__ import annotations

import re

import pytest

from app.language.spelled import email_en, email_he
from app.language.understanding.email import spoken_email


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


def test_the_hebrew_read_back_has_no_latin_letters_and_says_the_symbols() -> None:
    said = email_he("dani.cohen@gmail.com")
    assert not re.search(r"[A-Za-z]", said), said
    assert said.startswith("די, איי, אן, אאי נקודה סי, או")
    assert said.endswith("שטרודל ג'ימייל נקודה קום")


def test_the_hebrew_read_back_says_digits_underscore_and_israeli_domains() -> None:
    said = email_he("ron_12@walla.co.il")
    assert said == "אר, או, אן קו תחתון אחת, שתיים שטרודל וואלה נקודה קו נקודה איי אל"


def test_a_and_i_sound_different_in_the_hebrew_read_back() -> None:
    assert email_he("a@x.com").split()[0] != email_he("i@x.com").split()[0]


def test_the_english_read_back_spells_the_name_and_says_the_domain() -> None:
    assert email_en("dani.cohen@gmail.com") == "D, A, N, I dot C, O, H, E, N at gmail dot com"
