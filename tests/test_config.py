import pytest

from app.config import ConfigError, Settings


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgresql://u:p@db/app", "postgresql+asyncpg://u:p@db/app"),
        ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
    ],
)
def test_database_urls_get_async_drivers(given: str, expected: str) -> None:
    assert make(database_url=given).database_url == expected


def test_production_without_secrets_refuses_to_start() -> None:
    with pytest.raises(ConfigError, match="API_KEY and TWILIO_AUTH_TOKEN"):
        make(app_env="production").check_production()
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        make(app_env="production", api_key="k").check_production()
    make(app_env="production", api_key="k", twilio_auth_token="t").check_production()


def test_production_check_runs_in_create_app() -> None:
    from app.main import create_app

    with pytest.raises(ConfigError):
        create_app(make(app_env="production"))


def test_lists_from_env_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDING_URL_ALLOWED_HOSTS", "api.twilio.com, media.example.com")
    monkeypatch.setenv("BUSINESS_DAYS", "sun,mon")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.recording_url_allowed_hosts == ["api.twilio.com", "media.example.com"]
    assert settings.business_days == ["sun", "mon"]


@pytest.mark.parametrize(
    "bad",
    [
        {"business_timezone": "Mars/Olympus"},
        {"business_days": "sun,funday"},
        {"business_hours_start": "18:00", "business_hours_end": "09:00"},
        {"twilio_input_mode": "dtmf"},
    ],
)
def test_bad_values_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make(**bad)


def test_blank_lines_in_env_file_mean_unset(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    env = tmp_path / ".env"
    env.write_text("API_KEY=\nOPENAI_API_KEY=\nOPENAI_BASE_URL=\nAGENT_GENDER=male\n")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.api_key is None
    assert not settings.openai_configured
    assert settings.openai_base_url is None
    assert settings.agent_gender == "male"


def test_env_example_documents_every_setting() -> None:
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / ".env.example"
    documented = {
        line.split("=", 1)[0]
        for line in example.read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert documented == {name.upper() for name in Settings.model_fields}
    # And the example file itself is valid configuration.
    Settings(_env_file=example)  # type: ignore[call-arg]
