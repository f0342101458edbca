"""Wires the conversation engine from settings: OpenAI when a key is set, offline otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from openai import AsyncOpenAI

from app.clock import Clock
from app.config import Settings
from app.conversation.agent import Agent, LLMAgent
from app.conversation.offline_brain import OfflineBrain
from app.conversation.pipeline import Pipeline
from app.conversation.providers.base import Transcriber, Translator
from app.conversation.providers.offline import OfflineTranscriber, OfflineTranslator
from app.conversation.providers.openai import (
    OpenAIChatModel,
    OpenAITranscriber,
    OpenAITranslator,
    make_openai_client,
)


@dataclass(slots=True)
class Engine:
    """The providers a running app shares: one HTTP client, one pipeline."""

    mode: str
    settings: Settings
    clock: Clock
    agent: Agent
    translator: Translator
    transcriber: Transcriber
    pipeline: Pipeline
    client: AsyncOpenAI | None = None

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.close()


def build_engine(settings: Settings, clock: Clock) -> Engine:
    """The online engine when OPENAI_API_KEY is set; the offline brain and catalog otherwise."""
    agent: Agent
    translator: Translator
    transcriber: Transcriber
    client: AsyncOpenAI | None = None
    script: Agent | None = None
    if settings.openai_configured:
        client = make_openai_client(settings)
        timeout = settings.openai_timeout_seconds
        model = OpenAIChatModel(client, settings.openai_model, timeout)
        agent = LLMAgent(model)
        translator = OpenAITranslator(client, settings.openai_model, timeout)
        transcriber = OpenAITranscriber(client, settings.openai_transcribe_model, timeout)
        mode = "openai"
        script = OfflineBrain(settings) if settings.script_first else None
    else:
        agent = OfflineBrain(settings)
        translator = OfflineTranslator()
        transcriber = OfflineTranscriber()
        mode = "offline"
    pipeline = Pipeline(
        settings=settings,
        clock=clock,
        agent=agent,
        translator=translator,
        deadline_s=settings.turn_deadline_seconds,
        script=script,
    )
    return Engine(mode, settings, clock, agent, translator, transcriber, pipeline, client)


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.conversation
    return engine


# Here, not in app/deps.py: deps holds core things, and the engine loads the providers.
AppEngine = Annotated[Engine, Depends(get_engine)]
