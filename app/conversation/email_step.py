"""Asking for the email after a booking: the dialogue policy runs this step in code, for the
model and the offline brain alike, so the address is always read back before it is stored.

ask -> (an address) -> confirm -> "yes": stored on the lead, the invitation queued; "no": asked
once more. A refusal, "no email", or two misses (a "no" or words that make no address) end the
call politely with the booking kept; the outcome stays `booked` either way.
"""

from __future__ import annotations

import re
from datetime import datetime

from app.conversation.lines import Line, Lines
from app.conversation.state import Action, AgentReply, Conversation
from app.conversation.tools import Toolbox
from app.language.understanding import Intent, Understanding
from app.language.understanding.email import spoken_email

MAX_MISSES = 2
_REFUSAL = re.compile(
    r"אין לי|בלי מייל|לא רוצה|לא צריך|לא צריכה|לא חייב|עזוב|עזבי|לא משנה|לא תודה|"
    r"no email|don'?t have|do not have|rather not|no thanks|skip it|never mind",
    re.IGNORECASE,
)
_NO = re.compile(r"^\W*(?:לא|no|nope)\b", re.IGNORECASE)


def _said(line: Line, kind: str) -> AgentReply:
    return AgentReply(line.en, line.he, kind=f"email:{kind}")


def _goodbye(line: Line, lines: Lines) -> AgentReply:
    """The call ends here; the booking made earlier gives it its outcome."""
    line = line + lines.say("goodbye_after_booking")
    return AgentReply(line.en, line.he, Action.end_call, {"reason": "booked"}, kind="email:end")


def start(conversation: Conversation, reply: AgentReply, lines: Lines) -> AgentReply:
    """The booking's confirmation with the question for the email; the call goes on."""
    start_iso = str((reply.payload or {}).get("start"))
    line = lines.say("booked_ask_email", datetime.fromisoformat(start_iso), lines.tz, lines.now)
    conversation.dialogue.email_step = "ask"
    return AgentReply(line.en, line.he, reply.action, reply.payload, kind="email:ask", goes_on=True)


async def answer(
    conversation: Conversation, heard: Understanding, caller: str, tools: Toolbox, lines: Lines
) -> AgentReply:
    """The caller's answer to the email question or to the address read back."""
    dialogue = conversation.dialogue
    address = spoken_email(caller)
    if dialogue.email_step == "confirm":
        pending = dialogue.email_pending
        said_no = heard.intent is Intent.no or bool(_NO.match(caller))
        yes = address is None and heard.intent is Intent.yes and not said_no
        if pending and (address == pending or yes):
            return await _save(conversation, pending, tools, lines)
        if address is None and _REFUSAL.search(caller) and not said_no:
            return _skip(conversation, lines)
        dialogue.email_misses += 1  # a "no", a different address, or no answer to the read-back
    elif address is None:
        if _REFUSAL.search(caller) or heard.intent in (Intent.no, Intent.not_interested):
            return _skip(conversation, lines)
        dialogue.email_misses += 1
    if dialogue.email_misses >= MAX_MISSES:
        return _skip(conversation, lines)
    if address is not None:
        dialogue.email_step, dialogue.email_pending = "confirm", address
        return _said(lines.say("confirm_email", address), f"confirm:{dialogue.email_misses}")
    after_no = dialogue.email_step == "confirm"
    dialogue.email_step, dialogue.email_pending = "ask", None
    return _said(lines.say("ask_email_again", after_no), f"again:{dialogue.email_misses}")


async def _save(
    conversation: Conversation, address: str, tools: Toolbox, lines: Lines
) -> AgentReply:
    await tools.save_email(address)
    conversation.dialogue.email_step = conversation.dialogue.email_pending = None
    return _goodbye(lines.say("email_saved"), lines)


def _skip(conversation: Conversation, lines: Lines) -> AgentReply:
    conversation.dialogue.email_step = conversation.dialogue.email_pending = None
    return _goodbye(lines.say("email_skipped"), lines)
