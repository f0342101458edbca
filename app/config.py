"""Settings: the one place environment variables and `.env` are read."""

from __future__ import annotations

import json
from datetime import time
from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(RuntimeError):
    """Raised at startup when the configuration is unsafe or inconsistent."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip().lower() for part in value.split(",") if part.strip()]
    return value


def callback_number(value: str | None) -> str | None:
    """Blank is unset; anything else must be a number the voice can read: +9723...."""
    value = (value or "").replace(" ", "").replace("-", "")
    if not value:
        return None
    if not (value.startswith("+") and value[1:].isdigit() and 8 <= len(value) <= 16):
        raise ValueError("BUSINESS_CALLBACK_NUMBER must be E.164, e.g. +97235551234")
    return value


class SalesRep(BaseModel):
    """One entry of SALES_REPS: who meets the lead, and where their calendar lives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(default="", max_length=100, pattern=r"^[A-Za-z0-9_.@-]*$")
    name: str = Field(min_length=1, max_length=100)
    name_he: str | None = Field(default=None, max_length=100)
    email: EmailStr
    # A CalDAV calendar URL, or a Google calendar id; unused by the local calendar.
    calendar: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _default_key(self) -> SalesRep:
        """The key names the rep in the database (meetings.calendar): the email unless given."""
        if not self.key:
            object.__setattr__(self, "key", str(self.email).lower())
        return self


class Settings(BaseSettings):
    """Everything the service can be told, with safe offline defaults."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    app_env: Literal["development", "test", "production"] = "development"
    debug: bool = False
    log_level: str = "INFO"
    log_json: bool = True

    database_url: str = "sqlite+aiosqlite:///./var/messiah.db"
    run_migrations_on_startup: bool = True
    seed_demo_leads: bool = True

    api_key: SecretStr | None = None
    # Unset = public outside production, behind the API key in production.
    expose_docs: bool | None = None
    metrics_public: bool | None = None
    max_request_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    max_upload_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_transcribe_model: str = "gpt-4o-mini-transcribe"
    openai_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    turn_deadline_seconds: float = Field(default=9.0, gt=0, le=14)
    # With a model: the turns the script answers for sure skip it (app/conversation/script.py).
    script_first: bool = True

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_caller_id: str | None = None
    base_url: str = "http://localhost:8000"
    twilio_tts_voice: str = "Google.he-IL-Standard-A"
    twilio_input_mode: Literal["record", "gather", "relay"] = "record"
    twilio_speech_language: str = "he-IL"
    recording_url_allowed_hosts: Annotated[list[str], NoDecode] = ["api.twilio.com"]
    recording_fetch_timeout_seconds: float = Field(default=4.0, gt=0, le=14)
    record_silence_timeout_seconds: int = Field(default=2, ge=1, le=10)
    record_max_length_seconds: int = Field(default=30, ge=2, le=120)
    voicemail_policy: Literal["hangup", "message"] = "message"
    twilio_api_base_url: str | None = None
    # TWILIO_INPUT_MODE=relay: <ConversationRelay> runs speech on Twilio's side (he-IL defaults).
    relay_tts_provider: str = Field(default="Google", min_length=1, max_length=40)
    relay_tts_voice: str = Field(default="he-IL-Wavenet-A", min_length=1, max_length=80)
    relay_transcription_provider: str = Field(default="Google", min_length=1, max_length=40)
    relay_speech_model: str = Field(default="telephony", min_length=1, max_length=80)
    # The key that takes the caller off the list (relay mode); empty turns it off.
    relay_opt_out_digit: str | None = "9"
    # Translate the caller's interim words while they speak (one more translation per change).
    relay_translate_interim: bool = True
    debug_call_events: bool = False

    business_timezone: str = "Asia/Jerusalem"
    business_days: Annotated[list[str], NoDecode] = ["sun", "mon", "tue", "wed", "thu"]
    business_hours_start: time = time(9, 0)
    business_hours_end: time = time(18, 0)
    meeting_duration_minutes: int = Field(default=30, ge=5, le=240)
    meeting_min_notice_minutes: int = Field(default=120, ge=0)
    availability_horizon_days: int = Field(default=30, ge=1, le=365)
    calendar_name: str = "sales"

    # Real calendars: local (our database only) | caldav | google; see app/calendars/.
    calendar_backend: Literal["local", "caldav", "google"] = "local"
    caldav_url: str | None = None
    caldav_username: str | None = None
    caldav_password: SecretStr | None = None
    # A service-account or OAuth "authorized_user" JSON: a file path or the JSON itself.
    google_calendar_credentials: SecretStr | None = None
    # Google Calendar API origin; unset = Google's own. For test servers only.
    google_calendar_api_url: str | None = None
    # Google's OAuth token endpoint; unset = Google's own. For test servers only.
    google_oauth_token_url: str | None = None
    # A service account acts as each rep (domain-wide delegation): needed to add attendees.
    google_calendar_delegate: bool = False
    # A JSON list of {"name", "email", "calendar", optional "key", "name_he"}; unset = one rep
    # named after CALENDAR_NAME, whose calendar is ours alone.
    sales_reps: Annotated[list[SalesRep], NoDecode] = []
    # How long a call waits on a calendar server before using the last known free/busy.
    calendar_timeout_seconds: float = Field(default=2.0, gt=0, le=10)
    # Free/busy older than this is read again before an offer.
    calendar_cache_seconds: float = Field(default=60.0, ge=0, le=3600)
    # Booking assigns the free rep with the fewest meetings this week, or takes turns.
    rep_assignment: Literal["least_booked", "round_robin"] = "least_booked"

    # Invitations: SMTP unset = mail is stored in the database (outgoing_messages), not sent.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    mail_from: EmailStr = "meetings@example.com"
    # SMS confirmations go through Twilio Messaging (the TWILIO_* account) when this is true and
    # Twilio is configured; otherwise they are stored in the database.
    sms_enabled: bool = True
    sms_from: str | None = None
    # The delivery job (calendar sync, mail, SMS) in this process; any number may run at once.
    outbox_enabled: bool = True
    # The delivery job's poll interval, and attempts before a delivery is given up.
    outbox_poll_seconds: float = Field(default=2.0, gt=0, le=300)
    outbox_max_attempts: int = Field(default=8, ge=1, le=50)

    agent_gender: Literal["female", "male"] = "female"
    # What the agent says about the company; unset = the catalog's own lines. The console's
    # Agent page stores overrides in the database (app/agent_profile); these are the defaults.
    agent_name_he: str | None = Field(default=None, max_length=40)
    agent_name_en: str | None = Field(default=None, max_length=40)
    agent_pitch_he: str | None = Field(default=None, max_length=300)
    agent_pitch_en: str | None = Field(default=None, max_length=300)
    agent_price_he: str | None = Field(default=None, max_length=300)
    agent_price_en: str | None = Field(default=None, max_length=300)
    agent_questions_he: Annotated[list[str], NoDecode] = Field(default=[], max_length=3)
    agent_questions_en: Annotated[list[str], NoDecode] = Field(default=[], max_length=3)
    # Signs the console's session cookie; unset = derived from API_KEY.
    console_secret: SecretStr | None = None

    # Israeli calling law: the advertising notice (Communications Law §30A) and a callback number.
    call_is_advertising: bool = True
    advertiser_name_he: str = Field(default="אלטה", min_length=1, max_length=60)
    advertiser_name_en: str = Field(default="Alta", min_length=1, max_length=60)
    business_callback_number: str | None = None

    # The dialogue policy's hard limits: past them the call closes politely.
    max_caller_turns: int = Field(default=16, ge=4, le=60)
    # After a booking, a lead with no email is asked for one (read back, then the invite goes).
    ask_for_email: bool = True
    max_offer_rounds: int = Field(default=3, ge=1, le=10)
    max_clarifications: int = Field(default=2, ge=1, le=5)

    dialer_enabled: bool = True
    dialer_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # The offline phone network (no Twilio): phone time passes this many times faster.
    offline_phone_speed: float = Field(default=20.0, ge=1, le=1000)

    # After the call: the analysis job (summary, score) and the outbound webhooks' delivery worker.
    after_call_enabled: bool = True
    after_call_poll_seconds: float = Field(default=2.0, gt=0, le=300)
    webhooks_enabled: bool = True
    webhook_poll_seconds: float = Field(default=1.0, gt=0, le=300)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_max_attempts: int = Field(default=8, ge=1, le=30)
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0, le=3600)
    # Lead name, phone, email and the call's summary in webhook payloads (else ids and results).
    webhook_personal_data: bool = False
    # Subscriptions to loopback / private / link-local hosts (refused by default: SSRF).
    webhook_allow_private_hosts: bool = False

    # The human a lead is handed to ("I want to talk to a person", or a hot lead), E.164.
    transfer_number: str | None = None
    transfer_timeout_seconds: int = Field(default=20, ge=5, le=60)

    @field_validator("api_key", mode="before")
    @classmethod
    def _no_blank_key(cls, value: object) -> object:
        """A key of spaces would protect nothing (and no client could send it): refused."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("API_KEY is blank; set a real key or leave it unset")
            return value.strip()
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accepts pasted URLs (postgres://, sqlite://) and picks the async drivers."""
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value[len(prefix) :]
        if value.startswith("sqlite://") and not value.startswith("sqlite+aiosqlite://"):
            return "sqlite+aiosqlite://" + value[len("sqlite://") :]
        return value

    @field_validator("agent_questions_he", "agent_questions_en", mode="before")
    @classmethod
    def _questions(cls, value: object) -> object:
        """Up to three questions separated by `|`; a blank one keeps the catalog's question."""
        if isinstance(value, str):
            return [part.strip() for part in value.split("|")]
        return value

    @field_validator(
        "agent_name_he",
        "agent_name_en",
        "agent_pitch_he",
        "agent_pitch_en",
        "agent_price_he",
        "agent_price_en",
    )
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() if value and value.strip() else None

    @field_validator("recording_url_allowed_hosts", "business_days", mode="before")
    @classmethod
    def _csv_list(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("business_days")
    @classmethod
    def _known_days(cls, value: list[str]) -> list[str]:
        unknown = [day for day in value if day not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown weekday(s) {unknown}; use {', '.join(WEEKDAYS)}")
        return value

    @field_validator("business_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("business_callback_number")
    @classmethod
    def _e164_or_unset(cls, value: str | None) -> str | None:
        return callback_number(value)

    @field_validator("relay_opt_out_digit")
    @classmethod
    def _one_key(cls, value: str | None) -> str | None:
        """One phone key (0-9, *, #); "off" turns the opt-out key off."""
        value = (value or "").strip()
        if value.lower() in ("", "off", "none"):
            return None
        if len(value) != 1 or value not in "0123456789*#":
            raise ValueError("RELAY_OPT_OUT_DIGIT must be one key: 0-9, * or #, or off")
        return value

    @field_validator("transfer_number")
    @classmethod
    def _transfer_e164(cls, value: str | None) -> str | None:
        """Blank is unset (no transfers); anything else must be a valid E.164 number."""
        value = (value or "").replace(" ", "").replace("-", "")
        if not value:
            return None
        try:
            parsed = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException as exc:
            raise ValueError("TRANSFER_NUMBER must be E.164, e.g. +97235551234") from exc
        if not value.startswith("+") or not phonenumbers.is_valid_number(parsed):
            raise ValueError("TRANSFER_NUMBER must be a valid E.164 number, e.g. +97235551234")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("google_calendar_api_url")
    @classmethod
    def _google_api_base(cls, value: str | None) -> str | None:
        """Only scheme://host[:port]; the client library keeps its own paths."""
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("GOOGLE_CALENDAR_API_URL must look like https://www.googleapis.com")
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("twilio_api_base_url")
    @classmethod
    def _api_base(cls, value: str | None) -> str | None:
        """Only scheme://host[:port]: the SDK's paths (/2010-04-01/...) are kept as they are."""
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("TWILIO_API_BASE_URL must look like https://api.twilio.com")
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("sales_reps", mode="before")
    @classmethod
    def _reps_json(cls, value: object) -> object:
        """SALES_REPS is JSON text in the environment; blank is none."""
        if isinstance(value, str):
            if not value.strip():
                return []
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"SALES_REPS is not valid JSON: {exc.msg}") from exc
        return value

    @field_validator("sales_reps")
    @classmethod
    def _unique_reps(cls, value: list[SalesRep]) -> list[SalesRep]:
        keys = [rep.key for rep in value]
        if len(set(keys)) != len(keys):
            raise ValueError("two sales reps share a key (or an email); give each its own")
        return value

    @model_validator(mode="after")
    def _calendar_configured(self) -> Settings:
        """A real calendar backend needs its server and a calendar for every rep."""
        if self.calendar_backend == "local":
            return self
        if not self.sales_reps:
            raise ValueError(f"CALENDAR_BACKEND={self.calendar_backend} needs SALES_REPS")
        missing = [rep.name for rep in self.sales_reps if not rep.calendar]
        if missing:
            raise ValueError(f"SALES_REPS: no calendar for {', '.join(missing)}")
        if self.calendar_backend == "caldav" and not self.caldav_url:
            raise ValueError("CALENDAR_BACKEND=caldav needs CALDAV_URL")
        if self.calendar_backend == "google" and self.google_calendar_credentials is None:
            raise ValueError("CALENDAR_BACKEND=google needs GOOGLE_CALENDAR_CREDENTIALS")
        return self

    @model_validator(mode="after")
    def _hours_make_sense(self) -> Settings:
        if self.business_hours_end <= self.business_hours_start:
            raise ValueError("BUSINESS_HOURS_END must be after BUSINESS_HOURS_START")
        return self

    @property
    def docs_open(self) -> bool:
        """/docs, /redoc and /openapi.json answer without the API key (EXPOSE_DOCS)."""
        return self.expose_docs if self.expose_docs is not None else not self.is_production

    @property
    def metrics_open(self) -> bool:
        """/metrics answers without the API key (METRICS_PUBLIC)."""
        return self.metrics_public if self.metrics_public is not None else not self.is_production

    @property
    def reps(self) -> list[SalesRep]:
        """SALES_REPS, or the one rep a single local calendar stands for."""
        if self.sales_reps:
            return list(self.sales_reps)
        default = SalesRep(
            key=self.calendar_name,
            name="Sales team",
            name_he="צוות המכירות",
            email=self.mail_from,
            calendar="",
        )
        return [default]

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.business_timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def openai_configured(self) -> bool:
        return self.openai_api_key is not None

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def sms_can_send(self) -> bool:
        """SMS go out through Twilio Messaging (else they are kept in the database)."""
        return (
            self.sms_enabled
            and self.twilio_configured
            and bool(self.sms_from or self.twilio_caller_id)
        )

    @property
    def twilio_can_dial(self) -> bool:
        """Outbound calls need the account credentials and a number to call from."""
        return self.twilio_configured and bool(self.twilio_caller_id)

    def check_production(self) -> None:
        """Refuses to start a production service that anyone on the internet could drive."""
        if self.app_env != "production":
            return
        missing = [
            name
            for name, value in (
                ("API_KEY", self.api_key),
                ("TWILIO_AUTH_TOKEN", self.twilio_auth_token),
            )
            if value is None or not value.get_secret_value().strip()
        ]
        if missing:
            raise ConfigError(
                f"APP_ENV=production requires {' and '.join(missing)}: "
                "set them in the environment or .env (see .env.example)."
            )
        if self.debug_call_events:
            raise ConfigError(
                "DEBUG_CALL_EVENTS=true is refused in production: it keeps callers' numbers, "
                "names and words in memory for anyone with the API key; unset it."
            )


def describe(error: ValidationError | ConfigError) -> str:
    """One line for a person: which settings are wrong and why (no traceback)."""
    if isinstance(error, ConfigError):
        return str(error)
    problems = []
    for item in error.errors():
        name = "_".join(str(part) for part in item["loc"]).upper() or "settings"
        problems.append(f"{name}: {item['msg'].removeprefix('Value error, ')}")
    return "invalid configuration: " + "; ".join(problems) + " (see .env.example)"


@lru_cache
def get_settings() -> Settings:
    """Reads the environment once per process."""
    return Settings()
