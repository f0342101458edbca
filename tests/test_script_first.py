"""Script-first turns: with a model configured, the lines the script answers for sure skip it.

The fake OpenAI answers only what each test scripts, so a model round or a translation the
pipeline should have skipped is an unscripted request and fails the test.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.conversation.script import asks_a_question, full_gloss, script_knows
from app.conversation.state import Conversation, Exchange, LeadProfile
from app.language.understanding import understand
from app.meetings.availability import AvailabilityRules, slot_at
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.twilio import FakeTwilio, TwilioCaller, add_lead, dial
from tests.test_twilio_calls import HE, Model, assert_booked_and_bilingual, transcribe_with

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def conversation(recent: list[str], *, offered: int = 0, history: int = 1) -> Conversation:
    settings = Settings(_env_file=None)
    rules = AvailabilityRules.from_settings(settings)
    starts = [datetime(2026, 11, 25, 9, 0, tzinfo=UTC), datetime(2026, 11, 26, 12, 0, tzinfo=UTC)]
    talk = Conversation(
        lead=LeadProfile(id=1, name="Dana", company=None, email=None, gender="female"),
        history=[Exchange("Yes.", "Do you have a team?")] * history,
        offered=[slot_at(start, rules) for start in starts[:offered]],
    )
    talk.dialogue.recent = recent
    return talk


def knows(talk: Conversation, line: str) -> bool:
    heard = understand(line, [s.start for s in talk.offered], Settings(_env_file=None).tz, NOW)
    return script_knows(talk, heard, line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("כן, יש לי דקה", True),
        ("יש לנו שלושה אנשי מכירות", True),
        ("יש לנו כמה אנשי מכירות", True),  # "a few", not "how many"
        ("באקסל", True),
        ("לא, אין לנו", True),
        ("ואיך זה מתחבר לסיילספורס שלנו", False),  # the caller's own question
        ("כמה אנשים עובדים אצלכם?", False),
        ("זה תלוי, למה אתה שואל", False),
        ("כבר יש לנו מערכת כזאת", False),  # an objection: the model handles it
        ("I have a minute", False),  # not Hebrew
    ],
)
def test_answers_to_the_scripts_own_question(line: str, expected: bool) -> None:
    assert knows(conversation(["greeting", "question:0"]), line) is expected


@pytest.mark.parametrize("line", ["כן, יש לי דקה", "יש לנו שלושה אנשי מכירות", "באקסל"])
def test_after_the_models_own_line_answers_go_to_the_model(line: str) -> None:
    assert not knows(conversation(["question:0", "free:what tools do you use?"]), line)


@pytest.mark.parametrize(
    "line",
    [
        "לא מעוניין תודה",
        "תורידו אותי מהרשימה",
        "כמה זה עולה",
        "רגע, מי אתה?",
        "טעות במספר",
        "תתקשרי מחר בבוקר",
    ],
)
def test_lines_the_catalog_always_answers(line: str) -> None:
    assert knows(conversation(["free:anything"]), line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("הראשון מתאים לי", True),
        ("ביום חמישי", True),
        ("אף אחד מהם", True),
        ("לא, ומה עם שבוע הבא?", True),  # another week: the script offers it
        ("לא, ומה אם אני צריך לבטל?", False),
        ("לא יודע, איך זה עובד?", False),
    ],
)
def test_answers_to_an_offer(line: str, expected: bool) -> None:
    assert knows(conversation(["offer:x"], offered=2), line) is expected


def test_nothing_is_scripted_once_the_meeting_is_booked() -> None:
    talk = conversation(["end"], offered=2)
    talk.booked_meeting_id = 7
    assert not knows(talk, "הראשון מתאים לי")


def test_question_words_and_full_glosses() -> None:
    assert asks_a_question("ומה עם שבוע הבא")
    assert asks_a_question("זה עובד עם וואטסאפ?")
    assert not asks_a_question("יש לנו כמה אנשי מכירות")
    tz = Settings(_env_file=None).tz
    assert full_gloss(understand("כן, יש לי דקה", [], tz, NOW)) == "Yes, I have a minute."
    assert full_gloss(understand("ואיך זה מתחבר לסיילספורס שלנו", [], tz, NOW)) is None


# --- a whole recorded call, script first ---

OFF_SCRIPT = "ואיך זה מתחבר לסיילספורס שלנו?"
WHEN = "נשמע טוב, מתי אפשר להיפגש?"
LINES = ["כן, יש לי דקה", "יש לנו שלושה אנשי מכירות", OFF_SCRIPT, WHEN, "הראשון מתאים לי"]
MODEL_EN = "It connects to Salesforce in a day, no code."
MODEL_HE = "זה מתחבר לסיילספורס תוך יום, בלי קוד."


@pytest.mark.both_backends
class TestARecordedCall:
    @pytest.fixture
    def settings_overrides(
        self, twilio_fake: FakeTwilio, openai_fake: FakeOpenAI
    ) -> dict[str, object]:
        return {
            **openai_fake.settings_overrides(),
            **twilio_fake.settings_overrides(twilio_input_mode="record"),
            "script_first": True,
        }

    async def test_only_the_off_script_turn_waits_on_the_model(
        self,
        app: FastAPI,
        settings: Settings,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        openai_fake: FakeOpenAI,
    ) -> None:
        model = Model(settings)
        model.he_to_en.update(
            {OFF_SCRIPT: "And how does it connect to our Salesforce?", WHEN: "Sounds good, when?"}
        )
        model.en_to_he[MODEL_EN] = MODEL_HE
        model.agent.append(MODEL_EN)
        openai_fake.script_chat(model)
        openai_fake.script_transcription(transcribe_with(twilio_fake))
        # The lead's email is on file, so the booking ends the call (no email question here).
        call_id, sid = await dial(client, await add_lead(app, email="dana@example.com"))
        caller = TwilioCaller(client, twilio_fake, sid)

        await caller.converse(LINES)

        call = await assert_booked_and_bilingual(app, client, call_id, caller, len(LINES))
        turns = call["turns"][1:]
        assert [t["agent_he"] for t in turns[:2]] == list(HE.qualifying_questions()[:2])
        assert turns[2]["agent_he"] == MODEL_HE
        assert turns[3]["action"] == "offer_slots"
        assert [t["caller_en"] for t in turns[:3]] == [
            "Yes, I have a minute.",
            "We have three salespeople.",
            "And how does it connect to our Salesforce?",
        ]
        # One model round in five turns; a translation only where the gloss fell short.
        agent_requests = [body for body in openai_fake.chat_requests if "tools" in body]
        assert len(agent_requests) == 1
        assert agent_requests[0]["messages"][-1]["content"] == turns[2]["caller_en"]
        assert [
            (t["ms"]["llm"] is not None, t["ms"]["translate_in"] is not None) for t in turns
        ] == [
            (False, False),
            (False, False),
            (True, True),
            (False, True),
            (False, False),
        ]
        assert len(openai_fake.transcription_requests) == len(LINES)
