"""/campaigns and POST /outbound/campaign: creation, validation, progress and steering."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.both_backends


async def make_leads(client: httpx.AsyncClient, n: int) -> list[int]:
    ids = []
    for i in range(n):
        body = {"name": f"Lead {i}", "phone": f"+9725{20000000 + i}"}
        response = await client.post("/leads", json=body)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


async def test_create_and_read_progress(client: httpx.AsyncClient) -> None:
    ids = await make_leads(client, 3)
    created = await client.post(
        "/campaigns",
        json={"name": "Q4", "lead_ids": ids, "max_concurrent_calls": 2, "calls_per_second": 0.5},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["state"] == "active"
    assert body["progress"] == {"total": 3, "states": {"pending": 3}, "outcomes": {}, "skipped": {}}
    assert body["window"]["fri"] == ["09:00", "13:00"]
    assert "sat" not in body["window"]
    fetched = (await client.get(f"/campaigns/{body['id']}")).json()
    assert fetched["progress"]["total"] == 3
    assert [c["id"] for c in (await client.get("/campaigns")).json()] == [body["id"]]


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        ({"lead_ids": [999]}, 422, "unknown lead ids"),
        ({"window": {"sat": ["09:00", "12:00"]}}, 422, "Shabbat"),
        ({"calls_per_second": 0}, 422, None),
        ({"max_concurrent_calls": 0}, 422, None),
        ({"filter": {"status": "booked"}}, 422, "no leads match"),
    ],
)
async def test_bad_campaigns_are_refused(
    client: httpx.AsyncClient, extra: dict[str, Any], status: int, message: str | None
) -> None:
    await make_leads(client, 1)
    response = await client.post("/campaigns", json={"name": "bad", **extra})
    assert response.status_code == status, response.text
    if message:
        [error] = response.json()["detail"]  # the documented validation shape, never a string
        assert message in error["msg"]


async def test_pause_resume_cancel(client: httpx.AsyncClient) -> None:
    ids = await make_leads(client, 2)
    campaign = (await client.post("/campaigns", json={"name": "c", "lead_ids": ids})).json()
    url = f"/campaigns/{campaign['id']}"
    assert (await client.post(f"{url}/resume")).status_code == 409
    assert (await client.post(f"{url}/pause")).json()["state"] == "paused"
    assert (await client.post(f"{url}/resume")).json()["state"] == "active"
    cancelled = (await client.post(f"{url}/cancel")).json()
    assert cancelled["state"] == "cancelled"
    assert cancelled["progress"]["states"] == {"cancelled": 2}
    assert (await client.post(f"{url}/resume")).status_code == 409
    assert (await client.post("/campaigns/999/pause")).status_code == 404
    assert (await client.post(f"{url}/explode")).status_code == 422


async def test_call_all_leads(client: httpx.AsyncClient) -> None:
    ids = await make_leads(client, 4)
    await client.patch(f"/leads/{ids[0]}", json={"do_not_call": True})
    response = await client.post("/outbound/campaign")
    assert response.status_code == 201
    body = response.json()
    assert body["name"].startswith("All leads")
    assert (
        body["progress"]["total"] == 4
    )  # the do-not-call lead is skipped (and counted) when reached
