"""/metrics: turn, outcome and stage metrics move when a call happens, without personal data."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from tests.fakes.openai_server import FakeOpenAI, HttpError
from tests.fakes.twilio import FakeTwilio, TwilioCaller, add_lead, dial, stored_call


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
    for text in ("כן", "יש לנו שני אנשי מכירות", "באקסל", "הראשון", "אין לי מייל"):
        await client.post(f"/simulator/calls/{call_id}/reply", json={"text": text})

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert sample("messiah_call_outcomes_total", outcome="booked") == booked_before + 1
    assert sample("messiah_turns_total", action="book_meeting") == turns_before + 1
    assert sample("messiah_turn_stage_seconds_count", stage="total") == stages_before + 5
    assert "messiah_turn_stage_seconds_bucket" in response.text
    assert "7654321" not in response.text and "Dana" not in response.text


class TestLatencyAndErrors:
    """Turn latency per mode, webhook latency, database waits and provider errors by kind."""

    @pytest.fixture
    def settings_overrides(
        self, twilio_fake: FakeTwilio, openai_fake: FakeOpenAI
    ) -> dict[str, object]:
        return {
            **twilio_fake.settings_overrides(twilio_input_mode="record"),
            **openai_fake.settings_overrides(),
        }

    async def test_a_recorded_turn_and_a_failing_provider_are_measured(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        openai_fake: FakeOpenAI,
    ) -> None:
        openai_fake.queue_transcription(HttpError(429), HttpError(500))

        def errors(kind: str) -> float:
            return sample(
                "messiah_provider_errors_total",
                provider="openai",
                operation="transcription",
                kind=kind,
            )

        before = {
            "record": sample("messiah_turn_seconds_count", mode="record"),
            "voice": sample("messiah_webhook_seconds_count", path="/twilio/voice"),
            "lock": sample("messiah_db_wait_seconds_count", wait="write_lock"),
            "queue": sample("messiah_db_wait_seconds_count", wait="write_queue"),
            "pool": sample("messiah_db_wait_seconds_count", wait="pool"),
            "rate_limited": errors("rate_limited"),
            "server_error": errors("server_error"),
        }
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)

        await caller.converse(["אחת", "שתיים"])
        openai_fake.take_problems()

        assert [t.error is not None for t in (await stored_call(app, call_id)).turns] == [
            False,
            True,
            True,
        ]
        text = (await client.get("/metrics")).text
        assert sample("messiah_turn_seconds_count", mode="record") == before["record"] + 2
        assert sample("messiah_webhook_seconds_count", path="/twilio/voice") == before["voice"] + 1
        assert sample("messiah_db_wait_seconds_count", wait="pool") > before["pool"]
        if app.state.settings.database_url.startswith("sqlite"):
            assert sample("messiah_db_wait_seconds_count", wait="write_lock") > before["lock"]
            assert sample("messiah_db_wait_seconds_count", wait="write_queue") > before["queue"]
        assert errors("rate_limited") == before["rate_limited"] + 1
        assert errors("server_error") == before["server_error"] + 1
        assert "messiah_db_pool_in_use" in text
