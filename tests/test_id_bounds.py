"""Ids and offsets too large for the database are refused at the edge (422) or find nothing (404).

Before the bound, each of these reached the driver and overflowed into a 500.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.contract import MAX_ID

pytestmark = pytest.mark.both_backends  # Postgres is where INTEGER is 32-bit

TOO_BIG = [MAX_ID + 1, 2**63 - 1, 2**63, 10**20]


def _requests(big: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("GET", f"/calls/{big}", {}),
        ("GET", "/calls", {"params": {"offset": big}}),
        ("GET", "/calls", {"params": {"lead_id": big}}),
        ("GET", f"/leads/{big}", {}),
        ("PATCH", f"/leads/{big}", {"json": {"name": "x"}}),
        ("DELETE", f"/leads/{big}", {}),
        ("GET", "/leads", {"params": {"offset": big}}),
        ("GET", f"/meetings/{big}", {}),
        ("GET", f"/meetings/{big}.ics", {}),
        ("DELETE", f"/meetings/{big}", {}),
        (
            "POST",
            "/meetings",
            {"json": {"lead_id": big, "start": "2026-11-25T10:00:00+02:00"}},
        ),
        (
            "POST",
            "/meetings",
            {"json": {"lead_id": 1, "start": "2026-11-25T10:00:00+02:00", "call_id": big}},
        ),
        ("GET", f"/campaigns/{big}", {}),
        ("POST", f"/campaigns/{big}/pause", {}),
        ("POST", "/campaigns", {"json": {"name": "x", "lead_ids": [1, big]}}),
        ("POST", "/simulator/calls", {"json": {"lead_id": big}}),
        ("POST", f"/simulator/calls/{big}/reply", {"json": {"text": "כן"}}),
        ("POST", "/agent/turn", {"json": {"lead_id": big, "user_utterance": "yes"}}),
        ("POST", "/outbound/initiate-call", {"params": {"lead_id": big}}),
    ]


@pytest.mark.parametrize("big", TOO_BIG)
async def test_ids_past_the_database_range_are_422_or_404(
    client: httpx.AsyncClient, big: int
) -> None:
    for method, path, kwargs in _requests(big):
        response = await client.request(method, path, **kwargs)
        assert response.status_code in (404, 422), (method, path, kwargs, response.text)


async def test_the_largest_id_is_still_an_id(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"/calls/{MAX_ID}")).status_code == 404
    assert (await client.get(f"/calls/{MAX_ID + 1}")).status_code == 422
    assert (await client.get("/leads", params={"offset": MAX_ID})).json() == []


async def test_the_agent_api_refuses_a_lead_id_past_the_range(client: httpx.AsyncClient) -> None:
    response = await client.post("/agent/turn", json={"lead_id": 2**63, "user_utterance": "yes"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "lead_id"]


@pytest.mark.parametrize("call_id", ["99999999999999999999", str(2**63), "-1", "1e999", "inf"])
async def test_a_webhook_with_a_huge_call_id_gets_twiml(
    client: httpx.AsyncClient, call_id: str
) -> None:
    response = await client.post(
        f"/twilio/voice?call_id={call_id}", data={"CallSid": "CA" + "1" * 32}
    )
    assert response.status_code == 200
    assert "<Hangup" in response.text
