"""The simulator: a call with no Twilio, through the same pipeline, stored like a real call."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.both_backends


@pytest.fixture
async def lead(client: httpx.AsyncClient) -> dict[str, Any]:
    body = {
        "name": "נועה מזרחי",
        "phone": "054-123-4569",
        "company": "מזרחי ביטוח",
        "gender": "female",
    }
    response = await client.post("/leads", json=body)
    assert response.status_code == 201
    return dict(response.json())


async def say(client: httpx.AsyncClient, call_id: int, text: str) -> dict[str, Any]:
    response = await client.post(f"/simulator/calls/{call_id}/reply", json={"text": text})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_simulated_call_books_the_chosen_slot(
    client: httpx.AsyncClient, lead: dict[str, Any]
) -> None:
    started = await client.post("/simulator/calls", json={"lead_id": lead["id"]})
    assert started.status_code == 201
    greeting = started.json()
    call_id = greeting["call_id"]
    assert "נועה" in greeting["reply_he"]
    assert "מוקלטת" in greeting["reply_he"]

    await say(client, call_id, "כן, יש לי דקה")
    await say(client, call_id, "יש לנו שני אנשי מכירות")
    offer = await say(client, call_id, "בטלפון, לפעמים זה לוקח יום")
    assert offer["action"] == "offer_slots"
    second = offer["action_payload"]["slots"][1]
    booked = await say(client, call_id, "השני")
    assert booked["action"] == "book_meeting"
    assert booked["ended"] is False  # no email on file: asked for one
    assert booked["action_payload"]["start"] == second["start"]
    read_back = await say(client, call_id, "dani at gmail dot com")
    assert "שטרודל ג'ימייל נקודה קום" in read_back["reply_he"]
    done = await say(client, call_id, "כן")
    assert done["ended"] is True

    call = (await client.get(f"/calls/{call_id}")).json()
    assert call["channel"] == "simulator"
    assert call["call_sid"].startswith("SIM")
    assert call["outcome"] == "booked"
    assert call["lead"]["id"] == lead["id"]
    assert call["meeting_id"] == booked["action_payload"]["meeting_id"]
    turns = call["turns"]
    assert [t["index"] for t in turns] == [0, 1, 2, 3, 4, 5, 6]
    assert turns[0]["caller_he"] is None and turns[0]["agent_he"] == greeting["reply_he"]
    for turn in turns[1:]:
        assert turn["caller_he"] and turn["caller_en"] and turn["agent_he"] and turn["agent_en"]
        assert turn["ms"]["total"] is not None
    assert turns[-3]["action"] == "book_meeting"
    stored = (await client.get(f"/leads/{lead['id']}")).json()
    assert stored["email"] == "dani@gmail.com"
    assert [c["id"] for c in (await client.get("/calls")).json()] == [call_id]

    over = await client.post(f"/simulator/calls/{call_id}/reply", json={"text": "עוד משהו"})
    assert over.status_code == 409


async def test_silence_reprompts_then_ends(client: httpx.AsyncClient, lead: dict[str, Any]) -> None:
    call_id = (await client.post("/simulator/calls", json={"lead_id": lead["id"]})).json()[
        "call_id"
    ]
    first = await say(client, call_id, "")
    second = await say(client, call_id, "")
    assert not first["ended"] and not second["ended"]
    assert first["reply_he"] != second["reply_he"]
    third = await say(client, call_id, "")
    assert third["ended"] is True
    assert (await client.get(f"/calls/{call_id}")).json()["outcome"] == "no_answer"


async def test_speaking_resets_the_silence_count(
    client: httpx.AsyncClient, lead: dict[str, Any]
) -> None:
    call_id = (await client.post("/simulator/calls", json={"lead_id": lead["id"]})).json()[
        "call_id"
    ]
    for text in ("", "", "כן", "", ""):
        assert (await say(client, call_id, text))["ended"] is False


async def test_opt_out_ends_and_blocks_new_calls(
    client: httpx.AsyncClient, lead: dict[str, Any]
) -> None:
    call_id = (await client.post("/simulator/calls", json={"lead_id": lead["id"]})).json()[
        "call_id"
    ]
    reply = await say(client, call_id, "תורידו אותי מהרשימה")
    assert (reply["action"], reply["ended"]) == ("mark_do_not_call", True)
    assert (await client.get(f"/calls/{call_id}")).json()["outcome"] == "opted_out"
    again = await client.post("/simulator/calls", json={"lead_id": lead["id"]})
    assert again.status_code == 409
    assert "do-not-call" in again.json()["detail"]


async def test_not_interested_is_an_outcome(
    client: httpx.AsyncClient, lead: dict[str, Any]
) -> None:
    call_id = (await client.post("/simulator/calls", json={"lead_id": lead["id"]})).json()[
        "call_id"
    ]
    reply = await say(client, call_id, "לא מעוניינת, תודה")
    assert (reply["action"], reply["ended"]) == ("end_call", True)
    assert (await client.get(f"/calls/{call_id}")).json()["outcome"] == "not_interested"


async def test_unknown_lead_and_call(client: httpx.AsyncClient) -> None:
    assert (await client.post("/simulator/calls", json={"lead_id": 999})).status_code == 404
    assert (await client.post("/simulator/calls/999/reply", json={"text": "כן"})).status_code == 404
    assert (await client.get("/calls/999")).status_code == 404


async def test_deleting_the_lead_blanks_transcripts_but_keeps_the_outcome(
    client: httpx.AsyncClient, lead: dict[str, Any]
) -> None:
    call_id = (await client.post("/simulator/calls", json={"lead_id": lead["id"]})).json()[
        "call_id"
    ]
    await say(client, call_id, "לא מעוניינת, תודה")
    assert (await client.delete(f"/leads/{lead['id']}")).status_code == 204

    call = (await client.get(f"/calls/{call_id}")).json()
    assert call["lead"] is None
    assert call["outcome"] == "not_interested"
    assert len(call["turns"]) == 2
    text = " ".join(str(t[k]) for t in call["turns"] for k in ("caller_he", "agent_he", "agent_en"))
    assert "נועה" not in text and "מעוניינת" not in text
    assert all(t["ms"]["total"] is not None for t in call["turns"][1:])
