"""After the call: its analysis (summary, qualification, score, next step) and its events.

The database is the queue: the job picks ended calls whose analysis is missing, so a crash or a
restart loses none. Per call it reads the transcript and lets go of the database, asks the
analyst (OpenAI structured outputs when configured, the offline extractor otherwise or when the
model fails), then in one short transaction stores the analysis, the lead's score and the
`call.completed` and `call.analyzed` webhook deliveries. Another process that analysed the call
first wins: the row is re-read under its lock and left alone when already analysed.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.calls import repository as calls_repo
from app.calls import service as calls
from app.calls.analysis import CallAnalysis
from app.calls.models import Call
from app.clock import Clock
from app.config import Settings
from app.conversation.analysis import CallTranscript, OfflineCallAnalyst, TranscriptLine
from app.conversation.engine import Engine
from app.conversation.providers.base import CallAnalyst, ProviderError
from app.conversation.providers.openai import OpenAICallAnalyst
from app.db import read_session, write_session
from app.integrations.webhooks import outbox, payloads
from app.integrations.webhooks.models import Event
from app.leads import repository as leads_repo

log = structlog.get_logger(__name__)

BATCH = 20
# Not a turn: nobody waits on the phone, so the model gets longer than a turn's deadline.
ANALYSIS_TIMEOUT_S = 20.0


def build_analyst(engine: Engine) -> CallAnalyst:
    """OpenAI when the engine has a client, the offline extractor otherwise."""
    if engine.client is None:
        return OfflineCallAnalyst()
    return OpenAICallAnalyst(
        engine.client, engine.settings.openai_model, ANALYSIS_TIMEOUT_S, engine.translator
    )


def transcript_of(call: Call) -> CallTranscript:
    lines = tuple(
        TranscriptLine(t.caller_en, t.agent_en, t.action, t.action_payload) for t in call.turns
    )
    return CallTranscript(call.id, call.outcome or call.status, lines)


class AfterCall:
    """The post-call job; run as many as you like against one database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
        analyst: CallAnalyst,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.analyst = analyst
        self.offline = OfflineCallAnalyst()

    async def run(self, stop: asyncio.Event) -> None:
        """Analyses ended calls until `stop` is set; a failing tick is logged, never fatal."""
        while not stop.is_set():
            try:
                done = await self.tick()
            except Exception:
                log.exception("after_call_tick_failed")
                done = 0
            if done == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.after_call_poll_seconds)

    async def tick(self) -> int:
        """Analyses up to BATCH ended calls; returns how many this job stored."""
        async with read_session(self.sessions) as session:
            pending = await calls_repo.unanalyzed(session, calls.FINAL_STATUSES, BATCH)
            transcripts = [transcript_of(call) for call in pending]
        stored = 0
        for transcript in transcripts:
            analysis = await self._analyze(transcript)
            async with write_session(self.sessions) as session:
                stored += await self._store(session, transcript.call_id, analysis)
        return stored

    async def _analyze(self, transcript: CallTranscript) -> CallAnalysis:
        try:
            return await self.analyst.analyze(transcript)
        except ProviderError as exc:
            log.warning("call_analysis_offline", call_id=transcript.call_id, error=str(exc))
            return await self.offline.analyze(transcript)

    async def _store(self, session: AsyncSession, call_id: int, analysis: CallAnalysis) -> int:
        call = await calls_repo.get(session, call_id, lock=True)
        if call is None or call.analyzed_at is not None:
            return 0
        now = self.clock.now()
        calls.analyzed(call, analysis, now)
        lead = await leads_repo.get(session, call.lead_id) if call.lead_id else None
        if lead is not None:
            await leads_repo.update(session, lead, {"score": analysis.score})
        personal = self.settings.webhook_personal_data
        lead_data = payloads.lead(lead)
        await outbox.emit(
            session,
            Event.call_completed,
            {"call": payloads.call(call), "lead": lead_data},
            now,
            personal_data=personal,
        )
        await outbox.emit(
            session,
            Event.call_analyzed,
            {"call": payloads.call(call), "lead": lead_data, "analysis": payloads.analysis(call)},
            now,
            personal_data=personal,
        )
        return 1


def start_after_call(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    settings: Settings,
    clock: Clock,
    stop: asyncio.Event,
) -> asyncio.Task[None] | None:
    """Runs the post-call job in this process when AFTER_CALL_ENABLED."""
    if not settings.after_call_enabled:
        return None
    job = AfterCall(sessions, settings, clock, build_analyst(engine))
    return asyncio.create_task(job.run(stop), name="after-call")
