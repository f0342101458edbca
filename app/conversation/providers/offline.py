"""Offline stand-ins: the default when OPENAI_API_KEY is unset. No network, ever."""

from __future__ import annotations

from typing import Literal

from app.conversation.providers.base import ProviderUnavailable
from app.language.understanding import understand


class OfflineTranslator:
    """Hebrew -> an English gloss of what the caller meant; free-form English -> Hebrew is refused.

    With the offline brain every reply is a catalog line, so `to_hebrew` is never needed.
    """

    async def to_english(self, text_he: str) -> str:
        return understand(text_he).english

    async def to_hebrew(
        self,
        text_en: str,
        *,
        lead_gender: Literal["female", "male"] | None,
        agent_gender: Literal["female", "male"],
    ) -> str:
        raise ProviderUnavailable("offline: free-form text cannot be translated without a model")

    async def to_language(self, text_en: str, language: str) -> str:
        raise ProviderUnavailable("offline: free-form text cannot be translated without a model")


class OfflineTranscriber:
    """Speech-to-text needs a model; offline calls use Twilio's own (gather) or the simulator."""

    async def transcribe(self, audio: bytes, *, filename: str, language: str = "he") -> str:
        raise ProviderUnavailable("offline: no speech-to-text model configured (OPENAI_API_KEY)")
