"""/metrics: turn, outcome and stage metrics move when a call happens, without personal data."""

from __future__ import annotations

import httpx
from prometheus_client import REGISTRY


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_call_shows_up_in_metrics(client: httpx.AsyncClient) -> None:
    lead = (await client.post("/leads", json={"name": "Dana", "phone": "050-765-4321"})).json()
    booked_before = sample("messiah_call_outcomes_total", outcome="booked")
    turns_before = sample("messiah_turns_total", action="book_meeting")
    stages_before = sample("messiah_turn_stage_seconds_count", stage="total")

    call_id = (await client.post("/simulator/calls", json={"lead_id": lead["id"]})).json()[
        "call_id"
    ]
    for text in ("כן", "יש לנו שני אנשי מכירות", "באקסל", "הראשון"):
        await client.post(f"/simulator/calls/{call_id}/reply", json={"text": text})

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert sample("messiah_call_outcomes_total", outcome="booked") == booked_before + 1
    assert sample("messiah_turns_total", action="book_meeting") == turns_before + 1
    assert sample("messiah_turn_stage_seconds_count", stage="total") == stages_before + 4
    assert "messiah_turn_stage_seconds_bucket" in response.text
    assert "7654321" not in response.text and "Dana" not in response.text
