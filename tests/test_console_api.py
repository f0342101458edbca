"""The console over HTTP (no browser): login and CSRF, the agent profile, import preview, stats."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.calls.models import Call
from app.clock import FrozenClock
from app.config import Settings
from app.leads.models import Lead
from app.main import create_app
from app.web.charts import percentile

KEY = "console-key"
TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"api_key": KEY, "seed_demo_leads": True}


async def _token(client: httpx.AsyncClient, path: str = "/login") -> str:
    page = await client.get(path)
    found = TOKEN.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


async def _login(client: httpx.AsyncClient) -> str:
    """Logs in; returns the session's CSRF token."""
    token = await _token(client)
    answer = await client.post("/login", data={"api_key": KEY, "csrf_token": token, "next": "/"})
    assert answer.status_code == 303
    return await _token(client, "/console/agent")


async def _count(app: FastAPI, model: type[Lead] | type[Call]) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_pages_ask_for_login_and_the_cookie_is_signed_and_httponly(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/console/leads?q=x")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/console/leads?q=x"
    htmx = await client.get("/console/calls/rows", headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx.headers["HX-Redirect"]) == (
        401,
        "/login?next=/console/calls/rows",
    )

    token = await _token(client)
    wrong = await client.post("/login", data={"api_key": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "not the API key" in wrong.text
    right = await client.post(
        "/login", data={"api_key": KEY, "csrf_token": token, "next": "//evil.example/x"}
    )
    assert right.status_code == 303 and right.headers["location"] == "/"
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    home = await client.get("/")
    assert home.status_code == 200 and home.headers["X-Frame-Options"] == "DENY"

    value = client.cookies["messiah_console"]
    client.cookies.set("messiah_console", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert (await client.get("/")).status_code == 303  # a forged cookie is no session


async def test_a_form_without_the_sessions_token_is_refused(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    token = await _login(client)
    lead = {"name": "Noa Bar", "phone": "050-999-0001"}
    assert (await client.post("/console/leads", data=lead)).status_code == 403
    forged = {**lead, "csrf_token": "0" * 64}
    assert (await client.post("/console/leads", data=forged)).status_code == 403
    assert await _count(app, Lead) == 5
    made = await client.post("/console/leads", data={**lead, "csrf_token": token})
    assert made.status_code == 303
    assert await _count(app, Lead) == 6


async def test_bad_lead_input_is_a_4xx_page_never_a_5xx(client: httpx.AsyncClient) -> None:
    token = await _login(client)
    bad = await client.post(
        "/console/leads", data={"name": "X", "phone": "not a phone", "csrf_token": token}
    )
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    taken = await client.post(
        "/console/leads", data={"name": "X", "phone": "+972501234567", "csrf_token": token}
    )
    assert taken.status_code == 409 and "already exists" in taken.text
    missing = await client.get("/console/calls/99999")
    assert missing.status_code == 404 and "<h1>Not found</h1>" in missing.text
    too_big = await client.get("/console/leads/99999999999/edit")
    assert too_big.status_code == 422 and "text/html" in too_big.headers["content-type"]


async def test_the_import_preview_matches_the_import_and_writes_nothing(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    token = await _login(client)
    csv = (
        "name,phone,name_he\nDana,054-777-1111,דנה\nDana again,0547771111,\n"
        "David Cohen,050-123-4567,דוד\nBad,123,\n"
    ).encode()
    preview = await client.post(
        "/console/leads/import/preview",
        data={"csrf_token": token, "mode": "merge"},
        files={"file": ("leads.csv", csv, "text/csv")},
    )
    assert preview.status_code == 200
    shown = dict(re.findall(r'data-count="(\w+)">(\d+)<', preview.text))
    assert shown == {
        "created": "1",
        "merged": "1",
        "unchanged": "1",
        "do_not_call": "0",
        "refused": "1",
    }
    assert await _count(app, Lead) == 5
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)
    assert payload
    done = await client.post(
        "/console/leads/import",
        data={"csrf_token": token, "mode": "merge", "payload": payload.group(1)},
    )
    assert dict(re.findall(r'data-count="(\w+)">(\d+)<', done.text)) == shown
    assert await _count(app, Lead) == 6
    template = await client.get("/console/leads/import/template.csv")
    assert template.headers["content-type"].startswith("text/csv") and b"phone" in template.content
    garbled = await client.post(
        "/console/leads/import", data={"csrf_token": token, "payload": "***"}
    )
    assert garbled.status_code == 422


async def test_the_agent_profile_is_stored_validated_and_used_after_a_restart(
    client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    token = await _login(client)
    form = {
        "csrf_token": token,
        "advertiser_name_he": "מגדלי הים",
        "advertiser_name_en": "Sea Towers",
        "agent_gender": "male",
        "agent_pitch_he": "אנחנו בונים דירות מול הים בבת ים.",
        "agent_pitch_en": "We build flats facing the sea in Bat Yam.",
        "twilio_tts_voice": settings.twilio_tts_voice,
        "twilio_input_mode": "gather",
        "business_callback_number": "03-555-1234",
    }
    refused = await client.post("/console/agent", data=form)
    assert refused.status_code == 422 and "E.164" in refused.text
    saved = await client.post("/console/agent", data={**form, "business_callback_number": ""})
    assert saved.status_code == 200 and 'id="saved"' in saved.text
    assert "אנחנו בונים דירות מול הים בבת ים.</textarea>" in saved.text

    # A new process on the same database: env defaults, then the stored profile over them.
    fresh = Settings(_env_file=None, **settings.model_dump(exclude={"agent_pitch_he"}))  # type: ignore[arg-type]
    fresh.advertiser_name_he, fresh.agent_gender, fresh.twilio_input_mode = (
        "אלטה",
        "female",
        "record",
    )
    restarted = create_app(fresh, clock)
    async with restarted.router.lifespan_context(restarted):
        assert (fresh.agent_gender, fresh.twilio_input_mode) == ("male", "gather")
        transport = httpx.ASGITransport(app=restarted)
        headers = {"X-API-Key": KEY}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers=headers
        ) as api:
            greeting = (await api.post("/simulator/calls", json={"lead_id": 1})).json()
            assert "פרסומת מטעם מגדלי הים" in greeting["reply_he"]
            assert "זה נועם" in greeting["reply_he"]  # a male agent's default name
            answer = await api.post(
                f"/simulator/calls/{greeting['call_id']}/reply", json={"text": "מה אתם עושים?"}
            )
            assert answer.json()["reply_he"].startswith("אנחנו בונים דירות מול הים בבת ים.")
            assert "Bat Yam" in answer.json()["reply_en"]


async def test_docs_and_redoc_load_only_our_own_assets(client: httpx.AsyncClient) -> None:
    for path, asset in (
        ("/docs", "/static/docs/swagger-ui-bundle.js"),
        ("/redoc", "/static/docs/redoc.standalone.js"),
    ):
        page = await client.get(path)
        assert page.status_code == 200 and asset in page.text
        assert not re.search(
            r"https?://(?!127\.0\.0\.1)", page.text.replace("http://www.w3.org", "")
        )
        assert (await client.get(asset)).status_code == 200


@pytest.mark.both_backends
async def test_the_overview_counts_a_booked_simulated_call(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await _login(client)
    headers = {"X-API-Key": KEY}
    call = (await client.post("/simulator/calls", json={"lead_id": 2}, headers=headers)).json()
    lines = ("כן, בטח", "יש לנו שלושה אנשי מכירות", "בעיקר בטלפון", "הראשון מתאים לי")
    for line in (*lines, "אין לי מייל"):  # the lead has no email: asked for one after booking
        reply = await client.post(
            f"/simulator/calls/{call['call_id']}/reply", json={"text": line}, headers=headers
        )
    assert reply.json()["ended"]
    charts = await client.get("/console/overview/charts")
    funnel = dict(re.findall(r'data-funnel="(\w+)">(\d+)<', charts.text))
    assert funnel == {
        "dialed": "1",
        "answered": "1",
        "conversations": "1",
        "interested": "1",
        "booked": "1",
    }
    assert "100.0%" in charts.text
    meetings = await client.get("/console/meetings")
    assert "Roy Levi" in meetings.text and ".ics" in meetings.text
    link = re.search(r'href="(/console/meetings/\d+\.ics)"', meetings.text)
    assert link is not None
    download = await client.get(link.group(1))
    api = await client.get(link.group(1).removeprefix("/console"), headers=headers)
    assert download.status_code == 200 and download.headers["content-type"].startswith(
        "text/calendar"
    )
    assert download.content == api.content and b"BEGIN:VEVENT" in download.content


def test_percentiles_are_nearest_rank() -> None:
    values = list(range(1, 101))
    assert (percentile(values, 0.5), percentile(values, 0.95)) == (50, 95)
    assert percentile([7], 0.95) == 7 and percentile([], 0.5) is None


async def test_another_process_on_the_database_picks_up_a_saved_profile(
    client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    other = Settings(_env_file=None, **settings.model_dump())  # type: ignore[arg-type]
    second = create_app(other, clock)
    async with second.router.lifespan_context(second):
        token = await _login(client)
        form = {
            "csrf_token": token,
            "advertiser_name_he": "אלטה",
            "advertiser_name_en": "Alta",
            "agent_gender": "female",
            "agent_price_he": "זה מתחיל מאלף שקל בחודש.",
            "twilio_tts_voice": settings.twilio_tts_voice,
            "twilio_input_mode": settings.twilio_input_mode,
        }
        assert (await client.post("/console/agent", data=form)).status_code == 200
        for _ in range(100):  # it re-reads every few seconds
            if other.agent_price_he is not None:
                break
            await asyncio.sleep(0.1)
        assert other.agent_price_he == "זה מתחיל מאלף שקל בחודש."
