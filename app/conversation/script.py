"""Script-first turns: a caller line the script answers as well as a model needs no model round.

With a chat model configured, most turns of a sales call are still the script's: the answer to
the script's own qualifying question, a pick between the two offered slots, "not interested",
"take me off your list", "how much does it cost?". The Hebrew understanding reads those with
certainty and the offline brain's move says them in hand-written Hebrew, so waiting ~600 ms for
the model (and ~350 ms more to translate its words) buys nothing. Everything else goes to the
model: open questions, objections, a line that is not Hebrew, anything unclear that does not
answer the script's last question, and every turn after the model's own line (the script does
not answer for what it did not ask).
"""

from __future__ import annotations

import re

from app.conversation.state import Conversation
from app.language.understanding import Intent, Understanding

# Intents the catalog answers whatever came before (the offline brain's move for each).
_ALWAYS = frozenset(
    {
        Intent.do_not_call,
        Intent.wrong_number,
        Intent.not_interested,
        Intent.hostile,
        Intent.busy_call_later,
        Intent.price,
        Intent.who_is_this,
        Intent.are_you_a_bot,
        Intent.agent_name,
        Intent.what_is_it,
        Intent.number_source,
        Intent.repeat,
    }
)
# While slots are on the table: a pick, a yes, a no, a different time.
_ON_OFFER = frozenset(
    {
        Intent.pick_slot,
        Intent.yes,
        Intent.interested,
        Intent.neither_slot,
        Intent.no,
        Intent.unsure,
        Intent.request_time,
    }
)
# What counts as answering the script's own question ("do you have a minute?", "an SDR team?").
_ANSWERS = frozenset({Intent.yes, Intent.no, Intent.interested, Intent.unclear})
# A question of the caller's own goes to the model, whatever the intent reading says.
# "כמה" is also "a few" ("יש לנו כמה אנשי מכירות"), so it asks only when it opens the line.
_HEBREW_LETTER = re.compile(r"[\u05d0-\u05ea]")
_OPENS_A_QUESTION = re.compile(
    r"^\W*(?:ו|ו?ב|ו?ל|ו?מ)?(?:כמה|מה|מי|איך|למה|מתי|איפה|האם|איזה|איזו)\b"
)
_ASKS = re.compile(
    r"(?:^|[\s,.;:!\-])(?:ו|ש)?(?:מה|מי|איך|למה|מתי|איפה|האם|איזה|איזו|מאיפה|לאן|כיצד)(?=$|[\s,.;:!?\-])"
)


def full_gloss(heard: Understanding) -> str | None:
    """The offline English of a Hebrew line when it renders every word, else None."""
    english = heard.english.strip()
    return english if english and not _HEBREW_LETTER.search(english) else None


def asks_a_question(text: str) -> bool:
    """The caller asks something (a question mark, or a Hebrew question word)."""
    return "?" in text or bool(_OPENS_A_QUESTION.search(text) or _ASKS.search(text))


def script_knows(conversation: Conversation, heard: Understanding, caller: str) -> bool:
    """True when the offline brain's move is the right answer to this Hebrew caller line."""
    if heard.language != "he" or conversation.booked_meeting_id is not None:
        return False
    intent = heard.intent
    if intent in _ALWAYS:
        return True
    if conversation.offered:
        if intent in (Intent.pick_slot, Intent.request_time, Intent.neither_slot):
            return True
        return intent in _ON_OFFER and not asks_a_question(caller)
    dialogue = conversation.dialogue
    if dialogue.awaiting == "remove_number":
        return intent is Intent.yes
    if intent is Intent.request_time:
        return True  # a time asked for gets the offer; a bare number answers the question
    if intent is Intent.interested and conversation.history:
        return True
    last = dialogue.recent[-1] if dialogue.recent else ""
    ours = last == "greeting" or last.startswith("question:")
    return ours and intent in _ANSWERS and not asks_a_question(caller)
