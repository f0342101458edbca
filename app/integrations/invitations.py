"""The lead's invitation: an email with the .ics (METHOD:REQUEST, CANCEL when cancelled) and an
SMS confirmation, in Hebrew, delivered from the outbox. Written copy, not spoken: dates and times
are in words all the same, so a phone's screen reader says them right."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import SalesRep, Settings
from app.db import read_session
from app.integrations.mail import Mailer
from app.integrations.outbox import GiveUp, Handler, Job
from app.integrations.sms import Messenger, is_mobile
from app.language import he
from app.leads.models import Lead
from app.meetings import ics
from app.meetings.models import Meeting, MeetingStatus

MAIL_INVITE = "mail.invite"
MAIL_CANCEL = "mail.cancel"
SMS_CONFIRM = "sms.confirm"


def subject_of(meeting_id: int) -> str:
    """The outbox subject for a meeting's jobs."""
    return f"meeting:{meeting_id}"


def _greeting(lead: Lead) -> str:
    name = he.first_name(lead.name_he or lead.name)
    return f"שלום {name}," if name and not he.has_latin(name) else "שלום,"


def _for_how_long(meeting: Meeting) -> str:
    """ "לחצי שעה", "לשעה", "לארבעים וחמש דקות"."""
    minutes = round((meeting.end - meeting.start).total_seconds() / 60)
    said = {15: "לרבע שעה", 30: "לחצי שעה", 60: "לשעה", 90: "לשעה וחצי", 120: "לשעתיים"}
    return said.get(minutes, f"ל{he.number_f(minutes)} דקות")


def invitation_text(meeting: Meeting, lead: Lead, rep: SalesRep, settings: Settings) -> str:
    """The body: when, with whom, and that the invite is attached."""
    when = he.slot_phrase(meeting.start, settings.tz)
    with_whom = rep.name_he or rep.name
    if meeting.status == MeetingStatus.cancelled:
        return (
            f"{_greeting(lead)}\n\nהפגישה עם {with_whom} מ{settings.advertiser_name_he} "
            f"{when} בוטלה.\nאם תרצו לקבוע מועד אחר, פשוט השיבו למייל הזה.\n"
        )
    return (
        f"{_greeting(lead)}\n\nקבענו פגישת היכרות עם {with_whom} מ{settings.advertiser_name_he} "
        f"{when}, {_for_how_long(meeting)}.\nההזמנה מצורפת, אפשר להוסיף אותה ליומן בלחיצה.\n\n"
        f"נתראה,\n{settings.advertiser_name_he}\n"
    )


def invitation_subject(meeting: Meeting, settings: Settings) -> str:
    when = he.slot_phrase(meeting.start, settings.tz)
    if meeting.status == MeetingStatus.cancelled:
        return f"בוטלה: פגישה עם {settings.advertiser_name_he} {when}"
    return f"הזמנה: פגישה עם {settings.advertiser_name_he} {when}"


def invitation_email(meeting: Meeting, lead: Lead, settings: Settings) -> EmailMessage:
    """RFC 5322 mail, text plus text/calendar (the part calendar apps act on) and the .ics file."""
    assert lead.email
    rep = ics.organizer(meeting, settings)
    cancelled = meeting.status == MeetingStatus.cancelled
    method = "CANCEL" if cancelled else "REQUEST"
    calendar = ics.meeting_to_ics(meeting, lead, settings)
    message = EmailMessage()
    message["Subject"] = invitation_subject(meeting, settings)
    message["From"] = formataddr((settings.advertiser_name_he, str(settings.mail_from)))
    message["Reply-To"] = formataddr((rep.name, str(rep.email)))
    message["To"] = formataddr((lead.name, lead.email))
    message["Message-ID"] = make_msgid(domain="agent-messiah")
    message.set_content(invitation_text(meeting, lead, rep, settings))
    message.add_alternative(
        calendar.decode(), subtype="calendar", params={"method": method, "charset": "utf-8"}
    )
    message.add_attachment(calendar, maintype="application", subtype="ics", filename="invite.ics")
    return message


def sms_text(meeting: Meeting, lead: Lead, settings: Settings) -> str:
    """One short Hebrew text: the time in words, with whom, and where the invite went."""
    rep = ics.organizer(meeting, settings)
    when = he.slot_phrase(meeting.start, settings.tz)
    text = f"{settings.advertiser_name_he}: קבענו פגישה {when} עם {rep.name_he or rep.name}."
    if lead.email:
        text += " ההזמנה נשלחה גם למייל."
    return text


async def _load(sessions: async_sessionmaker[AsyncSession], job: Job) -> tuple[Meeting, Lead]:
    async with read_session(sessions) as session:
        meeting = await session.get(Meeting, int(job.payload["meeting_id"]))
        lead = await session.get(Lead, meeting.lead_id) if meeting and meeting.lead_id else None
    if meeting is None or lead is None:
        raise GiveUp("the meeting or its lead no longer exists")
    return meeting, lead


class Invitations:
    """The outbox handlers for the lead's invitation mail and SMS."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        mailer: Mailer,
        messenger: Messenger,
    ) -> None:
        self.sessions, self.settings = sessions, settings
        self.mailer, self.messenger = mailer, messenger

    async def mail(self, job: Job) -> None:
        """The invitation (or cancellation) as the meeting stands when it is sent."""
        meeting, lead = await _load(self.sessions, job)
        if not lead.email:
            raise GiveUp("the lead has no email address")
        if job.kind == MAIL_INVITE and meeting.status == MeetingStatus.cancelled:
            return  # cancelled before it went out: the cancellation job says so
        await self.mailer.send(invitation_email(meeting, lead, self.settings), job.subject)

    async def sms(self, job: Job) -> None:
        meeting, lead = await _load(self.sessions, job)
        if meeting.status == MeetingStatus.cancelled:
            return
        if not is_mobile(lead.phone):
            raise GiveUp("the lead's phone is not a mobile")
        await self.messenger.send(lead.phone, sms_text(meeting, lead, self.settings), job.subject)

    def handlers(self) -> dict[str, Handler]:
        return {MAIL_INVITE: self.mail, MAIL_CANCEL: self.mail, SMS_CONFIRM: self.sms}
