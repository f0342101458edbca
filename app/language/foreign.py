"""What the offline agent says to a caller it cannot serve in their language.

One short native line per language (Arabic as spoken in Israel, Russian): sorry, right now I can
only speak Hebrew; a colleague will call you back; goodbye. Worded so the speaker's gender does
not show, since the agent's voice may be either. English speakers are not here: the agent answers
them in English. The line is in the caller's script, so it needs a voice for that language.
"""

from __future__ import annotations

APOLOGY: dict[str, str] = {
    "ar": "عذرًا، حاليًا بقدر أحكي عبري بس. حدا من زملائنا رح يرجع يتصل فيك. مع السلامة.",
    "ru": "Извините, сейчас я могу говорить только на иврите. Наш коллега вам перезвонит. "
    "До свидания.",
}

# The same lines in English, for the transcript.
APOLOGY_EN: dict[str, str] = {
    "ar": "Sorry, right now I can only speak Hebrew. A colleague of ours will call you back. "
    "Goodbye.",
    "ru": "Sorry, right now I can only speak Hebrew. A colleague of ours will call you back. "
    "Goodbye.",
}
