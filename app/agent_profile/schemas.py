"""AgentProfile: the fields of the console's Agent page, validated as Settings validates them."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.config import Settings, callback_number

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Company = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
# The input modes Settings knows (a mode added there appears on the Agent page by itself).
INPUT_MODES: tuple[str, ...] = get_args(Settings.model_fields["twilio_input_mode"].annotation)


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class AgentProfile(BaseModel):
    """Each field is named as its Settings attribute, so the env value is its default."""

    model_config = ConfigDict(extra="forbid")

    advertiser_name_he: Company
    advertiser_name_en: Company
    agent_name_he: Name | None = None
    agent_name_en: Name | None = None
    agent_gender: Literal["female", "male"] = "female"
    agent_pitch_he: Line | None = None
    agent_pitch_en: Line | None = None
    agent_questions_he: list[Line] = Field(default_factory=list, max_length=3)
    agent_questions_en: list[Line] = Field(default_factory=list, max_length=3)
    agent_price_he: Line | None = None
    agent_price_en: Line | None = None
    business_callback_number: str | None = None
    twilio_tts_voice: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    twilio_input_mode: str

    @field_validator(
        "agent_name_he",
        "agent_name_en",
        "agent_pitch_he",
        "agent_pitch_en",
        "agent_price_he",
        "agent_price_en",
        "business_callback_number",
        mode="before",
    )
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("agent_questions_he", "agent_questions_en")
    @classmethod
    def _no_trailing_blanks(cls, value: list[str]) -> list[str]:
        """["Q1", "", ""] is ["Q1"]: a blank question keeps the catalog's."""
        while value and not value[-1]:
            value = value[:-1]
        return value

    @field_validator("business_callback_number")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        """The same rule as BUSINESS_CALLBACK_NUMBER: E.164, spaces and dashes dropped."""
        return callback_number(value)

    @field_validator("twilio_input_mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        if value not in INPUT_MODES:
            raise ValueError(f"input mode must be one of {', '.join(INPUT_MODES)}")
        return value

    @classmethod
    def of(cls, settings: Settings) -> AgentProfile:
        """The profile the settings hold now."""
        return cls.model_validate({name: getattr(settings, name) for name in cls.model_fields})

    def overrides(self, defaults: AgentProfile) -> dict[str, Any]:
        """The values that differ from `defaults`: what the database stores."""
        mine, theirs = self.model_dump(), defaults.model_dump()
        return {name: value for name, value in mine.items() if value != theirs[name]}
