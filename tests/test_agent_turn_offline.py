"""POST /agent/turn with no OpenAI key: the offline brain answers in English, same tools."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from app.language.en import time_phrase

pytestmark = pytest.mark.both_backends


@pytest.fixture
async def lead(client: httpx.AsyncClient) -> dict[str, Any]:
    body = {"name": "Roy Levi", "phone": "052-123-4568", "company": "Levi Tech", "gender": "male"}
    response = await client.post("/leads", json=body)
    assert response.status_code == 201
    return dict(response.json())


async def turn(
    client: httpx.AsyncClient, lead_id: int, text: str, history: list[dict[str, Any]] | None = None
) -> httpx.Response:
    payload = {"lead_id": lead_id, "user_utterance": text, "history": history or []}
    return await client.post("/agent/turn", json=payload)


async def test_hi_gets_the_greeting(client: httpx.AsyncClient, lead: dict[str, Any]) -> None:
    body = (await turn(client, lead["id"], "Hi")).json()
    assert body["action"] is None
    assert "Roy" in body["agent_reply"]
    assert "Alta" in body["agent_reply"]
    assert "recorded" in body["agent_reply"]


async def test_who_are_you_is_answered_honestly(
    client: httpx.AsyncClient, lead: dict[str, Any]
) -> None:
    history = [{"user": "Hi", "agent": "Hi Roy, this is Noa from Alta..."}]
    body = (await turn(client, lead["id"], "Who are you?", history)).json()
    assert "AI" in body["agent_reply"]
    assert "Alta" in body["agent_reply"]
    assert body["action"] is None


async def test_interest_gets_two_slots_then_booking(
    client: httpx.AsyncClient, lead: dict[str, Any]
) -> None:
    history = [
        {"user": "Hi", "agent": "Hi Roy, this is Noa from Alta. Is this a good time?"},
        {"user": "Sure", "agent": "Do you have an SDR team?"},
    ]
    offer = (await turn(client, lead["id"], "Yes, sounds interesting", history)).json()
    assert offer["action"] == "offer_slots"
    slots = offer["action_payload"]["slots"]
    assert len(slots) == 2
    assert slots[0]["start"][:10] != slots[1]["start"][:10]
    first = datetime.fromisoformat(slots[0]["start"])
    assert time_phrase(first, first.tzinfo) in offer["agent_reply"]

    history.append({"user": "Yes, sounds interesting", "agent": offer["agent_reply"]})
    booked = (await turn(client, lead["id"], "The second one", history)).json()
    assert booked["action"] == "book_meeting"
    assert booked["action_payload"]["start"] == slots[1]["start"]
    meeting = (await client.get(f"/meetings/{booked['action_payload']['meeting_id']}")).json()
    assert (meeting["lead_id"], meeting["start"]) == (lead["id"], slots[1]["start"])
    assert (await client.get(f"/leads/{lead['id']}")).json()["status"] == "booked"


async def test_echoed_payload_pins_the_offered_slots(
    client: httpx.AsyncClient, lead: dict[str, Any]
) -> None:
    history: list[dict[str, Any]] = [{"user": "Hi", "agent": "Hi Roy"}]
    offer = (await turn(client, lead["id"], "Sounds interesting, sure", history)).json()
    history.append(
        {
            "user": "Sounds interesting, sure",
            "agent": "(the client paraphrased this line)",
            "action": offer["action"],
            "action_payload": offer["action_payload"],
        }
    )
    booked = (await turn(client, lead["id"], "The first one", history)).json()
    assert booked["action"] == "book_meeting"
    assert booked["action_payload"]["start"] == offer["action_payload"]["slots"][0]["start"]


async def test_not_interested_ends_the_call(
    client: httpx.AsyncClient, lead: dict[str, Any]
) -> None:
    body = (
        await turn(client, lead["id"], "Not interested", [{"user": "Hi", "agent": "Hi"}])
    ).json()
    assert body["action"] == "end_call"
    assert body["action_payload"] == {"reason": "not_interested"}
    assert (await client.get(f"/leads/{lead['id']}")).json()["status"] == "not_interested"


async def test_opt_out_marks_do_not_call(client: httpx.AsyncClient, lead: dict[str, Any]) -> None:
    body = (await turn(client, lead["id"], "Remove me from your list")).json()
    assert body["action"] == "mark_do_not_call"
    assert (await client.get(f"/leads/{lead['id']}")).json()["do_not_call"] is True


async def test_busy_schedules_a_callback(client: httpx.AsyncClient, lead: dict[str, Any]) -> None:
    body = (await turn(client, lead["id"], "I'm busy, call me tomorrow")).json()
    assert body["action"] == "schedule_callback"
    assert "tomorrow" in body["action_payload"]["when"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"lead_id": 9999, "user_utterance": "Hi"}, 404),
        ({"lead_id": 1, "user_utterance": ""}, 422),
        ({"lead_id": 1, "user_utterance": "   "}, 422),
        ({"lead_id": 1, "user_utterance": "x" * 1001}, 422),
        ({"lead_id": 1}, 422),
        ({"lead_id": 1, "user_utterance": "Hi", "history": [{"user": "Hi"}]}, 422),
    ],
)
async def test_bad_requests(
    client: httpx.AsyncClient, lead: dict[str, Any], payload: dict[str, Any], status: int
) -> None:
    assert (await client.post("/agent/turn", json=payload)).status_code == status
