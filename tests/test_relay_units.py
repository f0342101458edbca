"""The pieces of relay mode that need no call: sentences, what was heard, backchannels, the
socket's message shapes, and which voice settings serve Hebrew."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.config import Settings
from app.conversation.speech import Said, Sentences, Voice, heard_count, joined
from app.language.he import HebrewCatalog, is_backchannel
from app.telephony.twilio import relay_messages as wire
from app.telephony.twilio.relay_voices import relay_problems


def test_sentences_are_cut_where_they_end() -> None:
    cut = Sentences()
    assert cut.feed("Got it. How does") == ["Got it."]
    assert cut.feed(" Acme handle leads? We") == ["How does Acme handle leads?"]
    assert cut.feed(" charge 2.5 per call") == []  # a decimal point ends nothing
    assert cut.rest() == "We charge 2.5 per call"
    assert cut.feed("A. B") == []  # too short to be a sentence on its own
    assert cut.rest() == "A. B"


SAID = [Said("One sentence.", "משפט אחד."), Said("Two sentences.", "שני משפטים.")]


@pytest.mark.parametrize(
    ("heard", "count"),
    [
        ("", 0),
        ("משפט", 0),
        ("משפט אחד", 1),  # Twilio's words, without the punctuation
        ("משפט אחד. שני", 1),
        ("משפט אחד. שני משפטים.", 2),
    ],
)
def test_heard_counts_the_pieces_heard_in_full(heard: str, count: int) -> None:
    assert heard_count(SAID, heard) == count
    assert joined(SAID[:count]) == " ".join(p.en for p in SAID[:count])


@pytest.mark.parametrize("text", ["כן", "כן כן", "אהה", "מממ", "אוקיי.", "אהה, נכון"])
def test_backchannels(text: str) -> None:
    assert is_backchannel(text)


@pytest.mark.parametrize("text", ["", "כן, יש לי דקה", "לא", "כן כן כן כן", "מה?"])
def test_not_backchannels(text: str) -> None:
    assert not is_backchannel(text)


class Collect:
    def __init__(self) -> None:
        self.pieces: list[str] = []

    async def say(self, text: str) -> None:
        self.pieces.append(text)


async def test_the_voice_speaks_in_order_even_when_a_later_translation_is_faster() -> None:
    speaker = Collect()
    voice = Voice(speaker)
    delays = {"first": 0.05, "second": 0.0}

    async def translate(text: str) -> str:
        await asyncio.sleep(delays[text])
        return text.upper()

    voice.sentence("first", translate)
    voice.sentence("second", translate)
    assert voice.carries("first second")
    assert await voice.finish() == "FIRST SECOND"
    assert speaker.pieces == ["FIRST ", "SECOND "]
    assert voice.first_token_ms is not None


async def test_a_stopped_voice_sends_nothing_more() -> None:
    speaker = Collect()
    voice = Voice(speaker)

    async def slow(text: str) -> str:
        await asyncio.sleep(5)
        return text

    voice.sentence("never said", slow)
    voice.stop()
    assert await voice.finish() == ""
    await voice.close("a catalog line", "שורה")
    assert speaker.pieces == []


def test_the_opt_out_key_is_in_the_advertising_notice_only_when_keys_are_heard() -> None:
    with_key = HebrewCatalog(lead_gender=None, opt_out_key="9").greeting("דנה")
    assert "תקישו תשע או תגידו" in with_key
    assert "תקישו" not in HebrewCatalog(lead_gender=None).greeting("דנה")
    assert "תקיש" not in HebrewCatalog(opt_out_key="9", advertising=False).greeting("דנה")
    assert "כוכבית" in HebrewCatalog(lead_gender="male", opt_out_key="*").greeting("דני")


def test_inbound_messages_are_typed_and_bad_ones_unreadable() -> None:
    setup = wire.parse(
        json.dumps(
            {
                "type": "setup",
                "sessionId": "VX1",
                "callSid": "CA1",
                "customParameters": {"call_id": "7", "n": 3},
            }
        )
    )
    assert setup == wire.Setup("VX1", "CA1", {"call_id": "7"})
    assert wire.parse(
        '{"type": "prompt", "voicePrompt": "כן", "lang": "he-IL", "last": false}'
    ) == (wire.Prompt("כן", last=False))
    interrupt = '{"type": "interrupt", "utteranceUntilInterrupt": "שלום", '
    assert wire.parse(interrupt + '"durationUntilInterruptMs": "460"}') == wire.Interrupt(
        "שלום", 460
    )
    assert wire.parse(interrupt + '"durationUntilInterruptMs": -3}') == wire.Interrupt("שלום", None)
    assert wire.parse('{"type": "dtmf", "digit": "9"}') == wire.Dtmf("9")
    assert wire.parse('{"type": "error", "description": "x"}') == wire.RelayError("x")
    for raw in ("nope", "[]", '{"type": "other"}', "x" * 70_000):
        assert isinstance(wire.parse(raw), wire.Unreadable)


def test_outbound_messages_have_the_documented_shape() -> None:
    assert json.loads(wire.text_token("שלום ", last=False)) == {
        "type": "text",
        "token": "שלום ",
        "last": False,
    }
    end = json.loads(wire.end_session({"reason": "call_over", "callId": 3}))
    assert end["type"] == "end" and json.loads(end["handoffData"])["callId"] == 3


def test_the_default_relay_voice_and_recogniser_serve_hebrew() -> None:
    assert relay_problems(Settings(_env_file=None)) == []  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"relay_tts_provider": "Amazon", "relay_tts_voice": "Joanna"}, "Polly has no he-IL"),
        ({"relay_tts_voice": "en-US-Journey-O"}, "not a Google he-IL voice"),
        ({"relay_transcription_provider": "Deepgram", "relay_speech_model": "nova-2"}, "no he-IL"),
    ],
)
def test_known_bad_relay_combinations_are_named(overrides: dict[str, str], problem: str) -> None:
    [found] = relay_problems(Settings(_env_file=None, **overrides))  # type: ignore[arg-type]
    assert problem in found


def test_the_opt_out_digit_is_one_key_or_off() -> None:
    assert Settings(_env_file=None, relay_opt_out_digit="off").relay_opt_out_digit is None  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="one key"):
        Settings(_env_file=None, relay_opt_out_digit="12")  # type: ignore[call-arg]
