"""Every TwiML document the service answers Twilio with; the only place TwiML is written.

Action URLs are absolute (BASE_URL) and carry `turn=N`, the index the caller's next turn will get,
so a retried webhook names the same turn and a new caller turn names a new one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from twilio.twiml.voice_response import VoiceResponse

from app.config import Settings

SAY_LANGUAGE = "he-IL"


def webhook_url(settings: Settings, path: str, **query: str | int) -> str:
    """An absolute URL of one of our webhooks, as Twilio will request (and sign) it."""
    return settings.base_url + path + (f"?{urlencode(query)}" if query else "")


def relay_url(settings: Settings) -> str:
    """Our ConversationRelay socket as Twilio dials (and signs) it: BASE_URL in ws(s)://."""
    scheme, rest = settings.base_url.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/twilio/relay"


def connect_relay(settings: Settings, call_id: int, welcome_he: str, *, attempt: int = 0) -> str:
    """Hands the call to ConversationRelay: Twilio's speech recognition and voice in Hebrew,
    talking text with our socket. The caller may cut in by voice or key; the opt-out key is
    detected. When the session ends, Twilio asks `/twilio/relay-done` what comes next."""
    response = VoiceResponse()
    connect = response.connect(
        action=webhook_url(settings, "/twilio/relay-done", call_id=call_id, attempt=attempt),
        method="POST",
    )
    relay = connect.conversation_relay(
        url=relay_url(settings),
        language=settings.twilio_speech_language,
        tts_provider=settings.relay_tts_provider,
        voice=settings.relay_tts_voice,
        transcription_provider=settings.relay_transcription_provider,
        speech_model=settings.relay_speech_model,
        welcome_greeting=welcome_he or None,
        welcome_greeting_interruptible="any",
        interruptible="any",
        dtmf_detection=True,
        partial_prompts=settings.relay_translate_interim,
        ignoreBackchannel=True,  # "כן", "אהה" while the agent talks do not cut it off
    )
    relay.parameter(name="call_id", value=str(call_id))
    relay.parameter(name="attempt", value=str(attempt))
    return str(response.to_xml())


def _say(parent: Any, text: str, settings: Settings) -> None:
    if text:
        parent.say(text, voice=settings.twilio_tts_voice, language=SAY_LANGUAGE)


def speak_and_listen(settings: Settings, text_he: str, next_turn: int) -> str:
    """Says the agent's line, then takes the caller's turn; silence always comes back to us."""
    response = VoiceResponse()
    silence = webhook_url(settings, "/twilio/silence", turn=next_turn)
    if settings.twilio_input_mode == "gather":
        gather = response.gather(
            input="speech",
            language=settings.twilio_speech_language,
            speech_timeout="auto",
            action=webhook_url(settings, "/twilio/process-speech", turn=next_turn),
            method="POST",
            action_on_empty_result=True,
        )
        _say(gather, text_he, settings)  # nested: the caller may interrupt
    else:
        _say(response, text_he, settings)
        response.record(
            action=webhook_url(settings, "/twilio/process-recording", turn=next_turn),
            method="POST",
            play_beep=False,
            trim="trim-silence",
            timeout=settings.record_silence_timeout_seconds,
            max_length=settings.record_max_length_seconds,
        )
    # <Record> skips its action when nothing was recorded and runs the next verb instead.
    response.redirect(silence, method="POST")
    return str(response.to_xml())


def say_and_hang_up(settings: Settings, text_he: str) -> str:
    """The last words of a call (goodbye, technical goodbye, voicemail message), then hang up."""
    response = VoiceResponse()
    _say(response, text_he, settings)
    response.hangup()
    return str(response.to_xml())


def hang_up() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response.to_xml())


def empty() -> str:
    """Acknowledges a status callback: nothing to do."""
    return str(VoiceResponse().to_xml())


def transfer(settings: Settings, text_he: str, number: str, *, call_id: int) -> str:
    """The catalog line, then the lead is connected to the rep; the rep hears the whisper first.

    When the rep's leg ends (or never answers) Twilio posts DialCallStatus to the action URL.
    """
    response = VoiceResponse()
    _say(response, text_he, settings)
    options: dict[str, Any] = {}
    if settings.twilio_caller_id:
        options["caller_id"] = settings.twilio_caller_id
    dial = response.dial(
        action=webhook_url(settings, "/twilio/transfer-status", call_id=call_id),
        method="POST",
        timeout=settings.transfer_timeout_seconds,
        **options,
    )
    dial.number(
        number, url=webhook_url(settings, "/twilio/whisper", call_id=call_id), method="POST"
    )
    return str(response.to_xml())


def whisper(settings: Settings, text_he: str) -> str:
    """What the rep alone hears when they answer, before the two sides are connected."""
    response = VoiceResponse()
    _say(response, text_he, settings)
    return str(response.to_xml())
