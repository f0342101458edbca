"""Which ConversationRelay voices and recognisers serve Hebrew (he-IL), per Twilio's docs.

Twilio's ConversationRelay speaks through Google, Amazon Polly or ElevenLabs and transcribes
through Google or Deepgram. For he-IL: Google has Hebrew voices (he-IL-Standard-*, -Wavenet-*)
and Google's speech-to-text recognises he-IL (the `telephony` and `long` models); Amazon Polly
has no Hebrew voice; Deepgram's nova-2 and older models have no Hebrew. Anything else is not a
combination we know to work, and is worth a test call before a campaign.
"""

from __future__ import annotations

from app.config import Settings

HEBREW_GOOGLE_VOICE_PREFIX = "he-IL-"
GOOGLE_HEBREW_MODELS = frozenset({"telephony", "long"})
DEEPGRAM_WITHOUT_HEBREW = frozenset(
    {"nova-2", "nova-2-general", "nova-2-phonecall", "nova", "base", "enhanced"}
)


def relay_problems(settings: Settings) -> list[str]:
    """What is known to be wrong (or unknown) about the configured relay voice and recogniser."""
    problems: list[str] = []
    language = settings.twilio_speech_language
    tts, voice = settings.relay_tts_provider.lower(), settings.relay_tts_voice
    if tts == "amazon":
        problems.append(f"RELAY_TTS_PROVIDER=Amazon: Polly has no {language} voice")
    elif tts == "google" and not voice.startswith(HEBREW_GOOGLE_VOICE_PREFIX):
        problems.append(f"RELAY_TTS_VOICE={voice} is not a Google {language} voice")
    elif tts != "google":
        problems.append(
            f"RELAY_TTS_PROVIDER={settings.relay_tts_provider} is not known to speak {language}"
        )
    stt, model = settings.relay_transcription_provider.lower(), settings.relay_speech_model
    if stt == "deepgram" and model.lower() in DEEPGRAM_WITHOUT_HEBREW:
        problems.append(f"RELAY_SPEECH_MODEL={model}: Deepgram's model has no {language}")
    elif stt == "google" and model not in GOOGLE_HEBREW_MODELS:
        problems.append(f"RELAY_SPEECH_MODEL={model} is not a Google model known for {language}")
    elif stt not in ("google", "deepgram"):
        problems.append(
            f"RELAY_TRANSCRIPTION_PROVIDER={settings.relay_transcription_provider} "
            "is not a ConversationRelay provider"
        )
    elif stt == "deepgram":
        problems.append(f"RELAY_SPEECH_MODEL={model}: check Deepgram's {language} support first")
    return problems
