"""The agent profile: env defaults, stored overrides, and the catalog and prompt that read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from app import migrate
from app.agent_profile import service
from app.agent_profile.schemas import AgentProfile
from app.config import Settings
from app.conversation.lines import catalogs
from app.conversation.prompts import system_prompt
from app.conversation.state import Conversation, LeadProfile
from app.db import create_engine


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_only_what_differs_from_the_environment_is_stored() -> None:
    defaults = AgentProfile.of(_settings(agent_pitch_he="משפט מהסביבה"))
    edited = defaults.model_copy(update={"agent_gender": "male", "agent_questions_en": ["Q?"]})
    assert edited.overrides(defaults) == {"agent_gender": "male", "agent_questions_en": ["Q?"]}
    assert defaults.overrides(defaults) == {}


def test_a_stored_value_no_longer_valid_falls_back_to_the_defaults() -> None:
    defaults = AgentProfile.of(_settings())
    assert service.effective(defaults, {"twilio_input_mode": "carrier-pigeon"}) == defaults
    assert service.effective(defaults, {"retired_field": 1}) == defaults


def test_blank_trailing_questions_keep_the_catalogs_own() -> None:
    profile = AgentProfile.model_validate(
        {
            **AgentProfile.of(_settings()).model_dump(),
            "agent_questions_he": ["", "כמה אנשי מכירות יש אצלכם?", ""],
        }
    )
    assert profile.agent_questions_he == ["", "כמה אנשי מכירות יש אצלכם?"]
    settings = _settings()
    service.apply(settings, profile)
    he, _ = catalogs(settings, "female")
    first, second, third = he.qualifying_questions()
    assert first.startswith("תגידי")  # the catalog's, in the lead's gender
    assert second == "כמה אנשי מכירות יש אצלכם?"
    assert he.short_question(1) == second
    assert third == catalogs(_settings(), "female")[0].qualifying_questions()[2]


def test_the_catalog_and_prompt_say_the_operators_words() -> None:
    settings = _settings(
        agent_pitch_he="אנחנו מתקינים פאנלים סולאריים על גגות. רוצים לשמוע איך?",
        agent_pitch_en="We install solar panels on roofs.",
        agent_price_he="המחיר מתחיל משלושים אלף שקל.",
        agent_price_en="Prices start at thirty thousand shekels.",
        agent_name_en="Dana",
        advertiser_name_en="Sun Roofs",
    )
    he, en = catalogs(settings, None)
    assert he.pitch() == "אנחנו מתקינים פאנלים סולאריים על גגות. רוצים לשמוע איך?"
    assert en.pitch() == "We install solar panels on roofs. Want to hear more?"
    assert he.price() == "המחיר מתחיל משלושים אלף שקל."
    lead = LeadProfile(1, "Avi", None, None, None)
    prompt = system_prompt(Conversation(lead=lead), settings, datetime(2026, 11, 24, tzinfo=UTC))
    assert "You are Dana, an AI sales assistant calling on behalf of Sun Roofs." in prompt
    assert "We install solar panels on roofs." in prompt
    assert '"Prices start at thirty thousand shekels."' in prompt


@pytest.mark.both_backends
async def test_migration_0008_goes_down_and_up(database_url: str) -> None:
    engine = create_engine(database_url)

    def run(connection: Connection, revision: str) -> list[str]:
        config = migrate.alembic_config()
        config.attributes["connection"] = connection
        if revision == "0006":
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)
        return list(inspect(connection).get_table_names())

    async with engine.begin() as connection:
        assert "agent_profile" not in await connection.run_sync(run, "0006")
    async with engine.begin() as connection:
        assert "agent_profile" in await connection.run_sync(run, "head")
    await engine.dispose()
