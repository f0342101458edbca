"""After a booking, a lead with no email is asked for one: read back spelled in Hebrew, stored
on a "yes" with the invitation queued in the outbox, asked once more after a "no", and a
refusal or two misses end the call politely, the meeting kept. Played through the call flow."""

from __future__ import annotations

import re
from email import message_from_string, policy

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.integrations.invitations import MAIL_INVITE, subject_of
from app.integrations.models import OutboxJob, OutgoingMessage
from app.meetings.models import Meeting
from tests.call_runner import Played, play_call

TO_BOOKING = ["כן, בטח, יש לי דקה", "יש לנו צוות של שלושה אנשי מכירות", "בעיקר בטלפון", "הראשון"]
LATIN = re.compile(r"[A-Za-z]")


async def _call(app: FastAPI, after: list[str], **lead: object) -> Played:
    lead = {"gender": "female", **lead}
    return await play_call(app, [*TO_BOOKING, *after], lead=lead)


async def _invites(app: FastAPI) -> list[OutboxJob]:
    async with app.state.sessionmaker() as session:
        meetings = (await session.scalars(select(Meeting))).all()
        assert len(meetings) == 1
        jobs = await session.scalars(
            select(OutboxJob).where(OutboxJob.subject == subject_of(meetings[0].id))
        )
        return [job for job in jobs if job.kind == MAIL_INVITE]


def _booking_turn(played: Played) -> int:
    return next(i for i, t in enumerate(played.turns) if t.action == "book_meeting")


async def test_given_and_confirmed_the_email_is_stored_and_the_invite_queued(app: FastAPI) -> None:
    played = await _call(app, ["דני שטרודל ג'ימייל נקודה קום", "כן, נכון"])
    booked = played.turns[_booking_turn(played)]
    assert not booked.ended, played.transcript
    assert "מייל" in booked.agent_he and "אלייך" in booked.agent_he  # she is asked, as a woman
    read_back = played.turns[-2].agent_he
    assert "שטרודל ג'ימייל נקודה קום" in read_back and not LATIN.search(read_back)
    assert "זימון למייל" in played.turns[-1].agent_he
    assert played.turns[-1].ended
    assert played.call.outcome == "booked"
    assert played.lead.email == "dani@gmail.com"
    assert played.lead.status == "booked"
    assert len(await _invites(app)) == 1
    assert played.call.meeting_id is not None


async def test_the_invite_goes_out_to_the_address_given(app: FastAPI) -> None:
    await _call(app, ["dani at gmail dot com", "כן"])
    await app.state.scheduling.worker.drain()
    async with app.state.sessionmaker() as session:
        sent = (await session.scalars(select(OutgoingMessage))).all()
    mails = [m for m in sent if m.channel == "email"]
    assert len(mails) == 1 and "dani@gmail.com" in mails[0].to_address
    message = message_from_string(mails[0].raw, policy=policy.default)
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert "METHOD:REQUEST" in calendar.get_content()


async def test_a_no_asks_once_more_and_the_corrected_address_is_kept(app: FastAPI) -> None:
    played = await _call(
        app, ["דני שטרודל ג'ימייל נקודה קום", "לא", "דנה שטרודל וואלה נקודה קו נקודה איל", "כן"]
    )
    assert "שוב" in played.turns[-3].agent_he, played.transcript
    assert "וואלה נקודה קו נקודה איי אל" in played.turns[-2].agent_he
    assert played.lead.email == "dana@walla.co.il"
    assert played.call.outcome == "booked"
    assert len(await _invites(app)) == 1


async def test_a_correction_in_the_same_breath_is_read_back(app: FastAPI) -> None:
    played = await _call(app, ["dani at gmail dot com", "לא, זה roni at gmail dot com", "yes"])
    assert played.lead.email == "roni@gmail.com", played.transcript


async def test_a_refusal_ends_the_call_politely_with_the_booking_kept(app: FastAPI) -> None:
    played = await _call(app, ["אין לי מייל", "עוד משהו"])
    last = played.turns[-1]
    assert last.caller_he == "אין לי מייל" and last.ended, played.transcript
    assert "הפגישה קבועה" in last.agent_he
    assert played.call.outcome == "booked"
    assert played.lead.email is None
    assert await _invites(app) == []


async def test_two_unparseable_answers_end_the_call_with_the_booking_kept(app: FastAPI) -> None:
    played = await _call(app, ["רגע, אהה", "המייל של העבודה", "עוד משהו"])
    assert "לאט" in played.turns[-2].agent_he, played.transcript
    assert played.turns[-1].caller_he == "המייל של העבודה" and played.turns[-1].ended
    assert played.call.outcome == "booked"
    assert played.lead.email is None
    assert await _invites(app) == []


async def test_two_noes_to_the_read_back_end_the_call(app: FastAPI) -> None:
    played = await _call(app, ["dani at gmail dot com", "לא", "dani at gmail dot com", "לא"])
    assert played.turns[-1].ended, played.transcript
    assert played.call.outcome == "booked"
    assert played.lead.email is None


async def test_an_english_caller_hears_it_spelled_in_english(app: FastAPI) -> None:
    lines = [
        "Yes, I have a minute",
        "We have three sales people",
        "Mostly by phone",
        "The first one",
        "dani dot cohen at gmail dot com",
        "yes",
    ]
    played = await play_call(app, lines, lead={"name": "Dana Cohen"})
    assert "D, A, N, I dot C, O, H, E, N at gmail dot com" in played.turns[-2].agent_he
    assert played.lead.email == "dani.cohen@gmail.com", played.transcript
    assert played.call.outcome == "booked"


async def test_a_male_lead_is_asked_as_a_man(app: FastAPI) -> None:
    played = await _call(app, [], gender="male")
    assert "אליך" in played.turns[-1].agent_he and "אלייך" not in played.turns[-1].agent_he


async def test_a_lead_with_an_email_is_not_asked(app: FastAPI) -> None:
    played = await _call(app, [], email="dana@example.com")
    assert played.turns[-1].action == "book_meeting" and played.turns[-1].ended
    assert len(await _invites(app)) == 1


@pytest.mark.parametrize("settings_overrides", [{"ask_for_email": False}])
async def test_asking_can_be_turned_off(app: FastAPI) -> None:
    played = await _call(app, [])
    assert played.turns[-1].action == "book_meeting" and played.turns[-1].ended
