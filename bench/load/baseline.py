"""The baseline: the seed's sequential turn pipeline, as a small app the load harness drives.

    python -m bench.load.baseline --port 8100      # configured by the same env as `messiah serve`

Per caller turn, strictly one after the other, each with a new HTTP client (a new connection):
fetch the recording (record mode), transcribe it, translate Hebrew to English, one chat
completion with tools, translate the English reply to Hebrew; then TwiML with <Say> and
<Record> or <Gather>. Calls live in memory; webhooks are checked with Twilio's RequestValidator
over BASE_URL, as the real service checks them. Only what the harness uses is here: POST /leads,
POST /outbound/initiate-call, GET /health and the /twilio/* webhooks.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
import uvicorn
from openai import AsyncOpenAI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

TZ = ZoneInfo("Asia/Jerusalem")
GREETING = (
    "שלום, מדברת נועה, עוזרת דיגיטלית מבוססת בינה מלאכותית מטעם אלטה. זוהי שיחה שיווקית והיא "
    "מוקלטת. אם אינך מעוניין, אמור הסר. יש לך דקה?"
)
TO_ENGLISH = "Translate the caller's Hebrew into plain English. Output only the translation."
TO_HEBREW = "Translate into natural spoken Israeli Hebrew. Output only the translation."
SYSTEM = (
    "You are Noa, an AI sales assistant calling on behalf of Alta. You are on a phone call with "
    "{name} from {company}. Ask a qualifying question, call offer_slots when interested, "
    "book_meeting with the exact slot_start the lead picks.{slots}"
)
TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "offer_slots",
            "description": "Get two free meeting times to offer.",
            "parameters": {
                "type": "object",
                "properties": {},
                "required": [],
                "additionalProperties": False,
            },
            "strict": True,
        },
    },
    {
        "type": "function",
        "function": {
            "name": "book_meeting",
            "description": "Book the slot the lead chose.",
            "parameters": {
                "type": "object",
                "properties": {"slot_start": {"type": "string"}},
                "required": ["slot_start"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    },
]


@dataclass
class Settings:
    auth_token: str = os.environ.get("TWILIO_AUTH_TOKEN", "")
    account_sid: str = os.environ.get("TWILIO_ACCOUNT_SID", "")
    base_url: str = os.environ.get("BASE_URL", "http://localhost:8000").rstrip("/")
    openai_base_url: str | None = os.environ.get("OPENAI_BASE_URL")
    openai_api_key: str = os.environ.get("OPENAI_API_KEY", "")
    model: str = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
    transcribe_model: str = os.environ.get("OPENAI_TRANSCRIBE_MODEL", "gpt-4o-mini-transcribe")
    mode: str = os.environ.get("TWILIO_INPUT_MODE", "record")
    voice: str = os.environ.get("TWILIO_TTS_VOICE", "Google.he-IL-Standard-A")


@dataclass
class CallState:
    call_id: int
    lead: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)


SETTINGS = Settings()
LEADS: dict[int, dict[str, Any]] = {}
CALLS: dict[str, CallState] = {}
_ids = itertools.count(1)


def _openai() -> AsyncOpenAI:
    """A new client, so a new connection, per request: as the seed did."""
    return AsyncOpenAI(
        api_key=SETTINGS.openai_api_key, base_url=SETTINGS.openai_base_url, max_retries=0
    )


def _url(path: str, **query: Any) -> str:
    return SETTINGS.base_url + path + (f"?{urlencode(query)}" if query else "")


def _listen(text_he: str, turn: int) -> str:
    response = VoiceResponse()
    if SETTINGS.mode == "gather":
        gather = response.gather(
            input="speech",
            language="he-IL",
            speech_timeout="auto",
            action=_url("/twilio/process-speech", turn=turn),
            method="POST",
        )
        gather.say(text_he, voice=SETTINGS.voice, language="he-IL")
    else:
        response.say(text_he, voice=SETTINGS.voice, language="he-IL")
        response.record(
            action=_url("/twilio/process-recording", turn=turn), method="POST", play_beep=False
        )
    response.redirect(_url("/twilio/silence", turn=turn), method="POST")
    return str(response.to_xml())


def _goodbye(text_he: str) -> str:
    response = VoiceResponse()
    response.say(text_he, voice=SETTINGS.voice, language="he-IL")
    response.hangup()
    return str(response.to_xml())


def _xml(body: str) -> Response:
    return Response(body, media_type="application/xml")


async def _signed_form(request: Request) -> dict[str, str] | None:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    query = request.url.query
    url = SETTINGS.base_url + request.url.path + (f"?{query}" if query else "")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not RequestValidator(SETTINGS.auth_token).validate(url, form, signature):
        return None
    return form


def _slots() -> list[str]:
    """The next two weekday slots (Sun-Thu), at 10:00 and 14:00 business time."""
    day = datetime.now(TZ).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    starts = []
    while len(starts) < 2:
        if day.weekday() not in (4, 5):
            starts.append(day.replace(hour=10 if not starts else 14).isoformat())
        day += timedelta(days=1)
    return starts


async def _translate(system: str, text: str) -> str:
    async with _openai() as client:
        completion = await client.chat.completions.create(
            model=SETTINGS.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": text}],
        )
    return (completion.choices[0].message.content or "").strip()


async def _turn(call: CallState, text_he: str, turn: int) -> str:
    """translate in -> model -> translate out, in order; a new connection for each."""
    lead = call.lead
    text_en = await _translate(TO_ENGLISH, text_he) if text_he else "(silence)"
    slots = "".join(f"\n- slot_start={start}" for start in call.offered)
    system = SYSTEM.format(name=lead["name"], company=lead.get("company") or "", slots=slots)
    call.history.append({"role": "user", "content": text_en})
    async with _openai() as client:
        completion = await client.chat.completions.create(
            model=SETTINGS.model,
            messages=[{"role": "system", "content": system}, *call.history],
            tools=TOOLS,
        )
    message = completion.choices[0].message
    ended = False
    reply_en = message.content or ""
    for tool in message.tool_calls or []:
        name = getattr(tool, "function", None) and tool.function.name
        if name == "offer_slots":
            call.offered = _slots()
            reply_en = (
                f"For {lead.get('company')}, I can offer {call.offered[0]} or {call.offered[1]}."
            )
        elif name == "book_meeting":
            start = json.loads(tool.function.arguments).get("slot_start")
            reply_en = f"Booked for {lead.get('company')} at {start}. Thank you, goodbye!"
            ended = True
    call.history.append({"role": "assistant", "content": reply_en})
    reply_he = await _translate(TO_HEBREW, reply_en)
    return _goodbye(reply_he) if ended else _listen(reply_he, turn + 1)


def _call(form: dict[str, str]) -> CallState | None:
    return CALLS.get(form.get("CallSid", ""))


def _turn_number(request: Request) -> int:
    raw = request.query_params.get("turn", "1")
    return int(raw) if raw.isdigit() else 1


CallHandler = Callable[[Request, dict[str, str], CallState], Awaitable[Response]]


def _call_webhook(handler: CallHandler) -> Callable[[Request], Awaitable[Response]]:
    """The seed's prelude of every call webhook: a signed form (else 403) of a known call."""

    async def endpoint(request: Request) -> Response:
        form = await _signed_form(request)
        if form is None:
            return Response("forbidden", status_code=403)
        call = _call(form)
        if call is None:
            return _xml(_goodbye("סליחה, יש תקלה טכנית."))
        return await handler(request, form, call)

    return endpoint


@_call_webhook
async def voice(_request: Request, _form: dict[str, str], _call_state: CallState) -> Response:
    return _xml(_listen(GREETING, 1))


@_call_webhook
async def process_recording(request: Request, form: dict[str, str], call: CallState) -> Response:
    async with httpx.AsyncClient(timeout=10) as http:
        media = await http.get(
            form["RecordingUrl"] + ".wav", auth=(SETTINGS.account_sid, SETTINGS.auth_token)
        )
    media.raise_for_status()
    async with _openai() as client:
        transcript = await client.audio.transcriptions.create(
            model=SETTINGS.transcribe_model,
            file=("turn.wav", media.content, "audio/wav"),
            language="he",
        )
    return _xml(await _turn(call, transcript.text.strip(), _turn_number(request)))


@_call_webhook
async def process_speech(request: Request, form: dict[str, str], call: CallState) -> Response:
    text = form.get("SpeechResult", "").strip()
    return _xml(await _turn(call, text, _turn_number(request)))


async def call_status(request: Request) -> Response:
    if await _signed_form(request) is None:
        return Response("forbidden", status_code=403)
    return _xml(str(VoiceResponse().to_xml()))


async def create_lead(request: Request) -> Response:
    lead_id = next(_ids)
    LEADS[lead_id] = await request.json()
    return JSONResponse({"id": lead_id, **LEADS[lead_id]}, status_code=201)


async def initiate_call(request: Request) -> Response:
    lead = LEADS.get(int(request.query_params.get("lead_id", "0")))
    if lead is None:
        return JSONResponse({"detail": "no such lead"}, status_code=404)
    call_id = next(_ids)
    sid = f"CA{call_id:032x}"
    CALLS[sid] = CallState(call_id, lead)
    return JSONResponse({"call_id": call_id, "call_sid": sid, "status": "queued"}, status_code=201)


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/leads", create_lead, methods=["POST"]),
        Route("/outbound/initiate-call", initiate_call, methods=["POST"]),
        Route("/twilio/voice", voice, methods=["POST"]),
        Route("/twilio/process-recording", process_recording, methods=["POST"]),
        Route("/twilio/process-speech", process_speech, methods=["POST"]),
        Route("/twilio/silence", process_speech, methods=["POST"]),
        Route("/twilio/call-status", call_status, methods=["POST"]),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
