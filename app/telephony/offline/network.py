"""`OfflineTelephony`: a phone network inside the process, where simulated leads answer in Hebrew.

It is the default when Twilio is not configured, so `initiate-call` and campaigns work with no
keys. A placed call rings, then is answered (or not) as the lead's persona decides; a person
talks through the same call flow, pipeline and records as a Twilio call (greeting, one stored
turn per line, outcome), and the call ends `completed` with `ended_at` and its duration in phone
seconds. Ringing and talking take phone time divided by OFFLINE_PHONE_SPEED. No database
transaction is held across a wait: every step reads or writes in its own short one.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.calls import service as calls
from app.calls.models import CallStatus, Channel
from app.clock import Clock
from app.config import Settings
from app.conversation.engine import Engine
from app.db import read_session
from app.flows import call as call_flow
from app.language.he import as_lead_gender
from app.leads import repository as leads_repo
from app.telephony.base import Answered, CallEvent, Ended, PlacedCall, Ringing, apply_event
from app.telephony.offline.personas import Persona, Speaker, persona_for

log = structlog.get_logger(__name__)

MAX_CALLER_LINES = 24  # a persona that never ends the call still hangs up


@dataclass(frozen=True, slots=True)
class PhoneTimes:
    """How long things take on a real phone, in seconds (divided by the speed when waited)."""

    pickup_s: float = 4.0  # rings before a person or a machine answers
    ring_out_s: float = 30.0  # rings before the network gives up: no answer
    busy_s: float = 1.0
    voicemail_s: float = 12.0  # the machine's greeting, the beep, our message
    think_s: float = 1.2  # the lead's pause before answering
    chars_per_s: float = 14.0  # Hebrew speech, for the agent's and the lead's lines


class OfflineTelephony:
    """The `Telephony` capability with no outside network."""

    name = "offline"
    channel = Channel.offline

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        engine: Engine,
        clock: Clock,
        settings: Settings,
        *,
        times: PhoneTimes | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.sessions = sessions
        self.engine = engine
        self.clock = clock
        self.settings = settings
        self.times = times or PhoneTimes()
        self.speed = settings.offline_phone_speed
        self._sleep = sleep
        self._live: dict[str, asyncio.Task[None]] = {}

    async def place_call(self, call_id: int, to: str) -> PlacedCall:
        sid = f"OF{uuid.uuid4().hex}"
        task = asyncio.create_task(self._run(call_id, sid), name=f"offline-call-{call_id}")
        self._live[sid] = task
        task.add_done_callback(lambda _: self._live.pop(sid, None))
        log.info("offline_call_placed", call_id=call_id)
        return PlacedCall(sid)

    async def end_call(self, call_sid: str, last_words_he: str | None = None) -> None:
        """Our side hangs up: the simulated lead's line goes dead."""
        task = self._live.get(call_sid)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait_idle(self) -> None:
        """Returns once every call placed so far has ended (for the CLI and tests)."""
        while self._live:
            await asyncio.gather(*self._live.values(), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._live.values()):
            task.cancel()
        await asyncio.gather(*self._live.values(), return_exceptions=True)

    # --- one call -----------------------------------------------------------------------------

    async def _run(self, call_id: int, sid: str) -> None:
        phone_s = 0.0
        try:
            await self._event(call_id, Ringing(sid))
            async with read_session(self.sessions) as session:
                call = await calls.get(session, call_id)
                lead = await leads_repo.get_or_raise(session, call.lead_id or 0)
                persona = persona_for(lead.id, lead.phone, lead.notes)
                female = as_lead_gender(lead.gender) == "female"
            log.info("offline_call_ringing", call_id=call_id, persona=persona.name)
            if persona.pickup == "no_answer":
                await self._wait(self.times.ring_out_s)
                await self._event(call_id, Ended(sid, CallStatus.no_answer, 0))
                return
            if persona.pickup == "busy":
                await self._wait(self.times.busy_s)
                await self._event(call_id, Ended(sid, CallStatus.busy, 0))
                return
            await self._wait(self.times.pickup_s)
            if persona.pickup == "machine":
                await self._event(call_id, Answered(sid, by="machine"))
                phone_s = await self._wait(self.times.voicemail_s)
            else:
                phone_s = await self._talk(call_id, sid, persona, female)
            await self._event(call_id, Ended(sid, CallStatus.completed, round(phone_s)))
        except asyncio.CancelledError:
            await asyncio.shield(self._abandon(call_id, sid, phone_s))
            raise
        except Exception:
            log.exception("offline_call_failed", call_id=call_id)
            await self._abandon(call_id, sid, phone_s)

    async def _talk(self, call_id: int, sid: str, persona: Persona, female: bool) -> float:
        """The greeting, then the persona's lines until the agent ends the call."""
        async with self.sessions.begin() as session:
            turn = await call_flow.greet(session, self.engine, call_id)
        speaker = Speaker(persona, female, self.settings.tz)
        phone_s = 0.0
        for n in range(1, MAX_CALLER_LINES + 1):
            phone_s += await self._wait(self._speaking_s(turn.agent_he))
            if turn.ended:
                break
            async with read_session(self.sessions) as session:
                call = await calls.get(session, call_id)
                offered = [datetime.fromisoformat(s) for s in call.offered_slots]  # on offer now
            line = speaker.next_line(offered)
            phone_s += await self._wait(self.times.think_s + self._speaking_s(line))
            turn = await call_flow.take_turn(
                self.sessions, self.engine, call_id, line, key=f"call-{call_id}:{sid[:12]}-{n}"
            )
        return phone_s

    def _speaking_s(self, text: str) -> float:
        return len(text) / self.times.chars_per_s

    async def _wait(self, phone_s: float) -> float:
        """Lets `phone_s` of phone time pass (compressed by the speed); returns it."""
        await self._sleep(phone_s / self.speed)
        return phone_s

    async def _event(self, call_id: int, event: CallEvent) -> None:
        async with self.sessions.begin() as session:
            call = await calls.get(session, call_id, lock=True)
            try:
                apply_event(call, event, self.clock.now())
            except calls.IllegalTransition as exc:
                log.info("offline_event_stale", call_id=call_id, stored=exc.status)

    async def _abandon(self, call_id: int, sid: str, phone_s: float) -> None:
        """A call cut short (shutdown, our hang-up, a bug) still gets a final status."""
        try:
            async with self.sessions.begin() as session:
                call = await calls.get(session, call_id, lock=True)
                if calls.is_final(call):
                    return
                now = self.clock.now()
                if call.status == CallStatus.in_progress:
                    calls.finished(call, CallStatus.completed, now, duration_s=round(phone_s))
                else:
                    calls.finished(call, CallStatus.canceled, now)
        except Exception:
            log.exception("offline_call_not_closed", call_id=call_id)
