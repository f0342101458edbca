from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.leads.models import Lead
from app.meetings.models import Meeting

pytestmark = pytest.mark.both_backends

DANA = {"name": "Dana Katz", "phone": "050-765-4321", "company": "Katz Ltd", "gender": "female"}


async def test_create_get_list(client: httpx.AsyncClient) -> None:
    created = await client.post("/leads", json=DANA)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["phone"] == "+972507654321"
    assert body["gender"] == "female"
    assert body["status"] == "new"
    assert body["do_not_call"] is False

    fetched = await client.get(f"/leads/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["name"] == "Dana Katz"

    listed = await client.get("/leads")
    assert [lead["id"] for lead in listed.json()] == [body["id"]]


async def test_invalid_phone_is_422_naming_the_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/leads", json={**DANA, "phone": "050-12"})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "phone"]
    assert "too short" in detail["msg"]


async def test_duplicate_phone_is_409_with_existing_id(client: httpx.AsyncClient) -> None:
    first = (await client.post("/leads", json=DANA)).json()
    again = await client.post("/leads", json={**DANA, "name": "Other", "phone": "+972507654321"})
    assert again.status_code == 409
    assert again.json()["detail"]["existing_lead_id"] == first["id"]


async def test_unknown_lead_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/leads/999")).status_code == 404
    assert (await client.patch("/leads/999", json={"name": "x"})).status_code == 404
    assert (await client.delete("/leads/999")).status_code == 404


async def test_patch_changes_only_sent_fields(client: httpx.AsyncClient) -> None:
    lead = (await client.post("/leads", json=DANA)).json()
    patched = await client.patch(
        f"/leads/{lead['id']}", json={"do_not_call": True, "phone": "052-111-2233"}
    )
    assert patched.status_code == 200
    assert patched.json()["do_not_call"] is True
    assert patched.json()["phone"] == "+972521112233"
    assert patched.json()["company"] == "Katz Ltd"

    cleared = await client.patch(f"/leads/{lead['id']}", json={"name": None})
    assert cleared.status_code == 422


async def test_patch_to_a_taken_phone_is_409(client: httpx.AsyncClient) -> None:
    await client.post("/leads", json=DANA)
    other = (await client.post("/leads", json={**DANA, "phone": "052-999-8877"})).json()
    response = await client.patch(f"/leads/{other['id']}", json={"phone": "0507654321"})
    assert response.status_code == 409


async def test_delete_erases_personal_data_and_keeps_anonymous_meetings(
    client: httpx.AsyncClient, session: AsyncSession, clock: object
) -> None:
    lead = (await client.post("/leads", json={**DANA, "email": "dana@example.com"})).json()
    slots = (await client.get("/meetings/available?count=1")).json()
    booked = await client.post(
        "/meetings", json={"lead_id": lead["id"], "start": slots[0]["start"]}
    )
    assert booked.status_code == 201

    assert (await client.delete(f"/leads/{lead['id']}")).status_code == 204

    assert (await client.get(f"/leads/{lead['id']}")).status_code == 404
    # The slot is free again for someone else.
    other = (await client.post("/leads", json={**DANA, "phone": "052-999-8877"})).json()
    again = await client.post(
        "/meetings", json={"lead_id": other["id"], "start": slots[0]["start"]}
    )
    assert again.status_code == 201

    assert (await session.scalar(select(Lead).where(Lead.phone == "+972507654321"))) is None
    meetings = (await session.scalars(select(Meeting).order_by(Meeting.id))).all()
    assert [(m.lead_id, m.status) for m in meetings] == [
        (None, "cancelled"),
        (other["id"], "booked"),
    ]


async def test_past_meetings_survive_deletion_anonymously(
    client: httpx.AsyncClient, session: AsyncSession, clock: object
) -> None:
    from app.clock import FrozenClock

    assert isinstance(clock, FrozenClock)
    lead = (await client.post("/leads", json=DANA)).json()
    slot = (await client.get("/meetings/available?count=1")).json()[0]
    assert (
        await client.post("/meetings", json={"lead_id": lead["id"], "start": slot["start"]})
    ).status_code == 201
    clock.advance(timedelta(days=60))

    assert (await client.delete(f"/leads/{lead['id']}")).status_code == 204

    meeting = await session.scalar(select(Meeting))
    assert meeting is not None
    assert (meeting.lead_id, meeting.status) == (None, "booked")
