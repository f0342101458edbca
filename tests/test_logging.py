import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from app.logging_config import configure_logging, mask_phone_numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("calling +972501234567 now", "calling +********4567 now"),
        ("local 050-123-4567.", "local ******4567."),
        ("spaced +972 50 123 4567", "spaced +********4567"),
        ("bare 972501234567", "bare ********4567"),
    ],
)
def test_masks_phone_numbers(text: str, expected: str) -> None:
    assert mask_phone_numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-24T10:00:00+02:00",
        "CA0123456789abcdef0123456789abcdef",
        "lead 42 booked",
        "port 8000",
    ],
)
def test_leaves_other_numbers_alone(text: str) -> None:
    assert mask_phone_numbers(text) == text


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.mark.usefixtures("restore_logging")
def test_log_lines_are_json_with_masked_phones_and_exceptions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", json=True)
    structlog.contextvars.bind_contextvars(request_id="req-1")
    log = structlog.get_logger("test")
    log.info("dialing", to="+972501234567", nested={"phones": ["052-111-2233"]})
    try:
        raise ValueError("lead +972501234567 is invalid")
    except ValueError:
        log.exception("failed")
    logging.getLogger("uvicorn.error").warning("stdlib says 050-123-4567")
    structlog.contextvars.clear_contextvars()

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert [line["event"] for line in lines] == ["dialing", "failed", "stdlib says ******4567"]
    assert lines[0]["to"] == "+********4567"
    assert lines[0]["nested"] == {"phones": ["******2233"]}
    assert lines[0]["request_id"] == "req-1"
    assert "ValueError" in lines[1]["exception"]
    assert "4567" in lines[1]["exception"]
    assert "+972501234567" not in json.dumps(lines)
