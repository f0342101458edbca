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
        # URL-encoded, in query strings and paths, as access logs and httpx write them
        (
            "GET /calls?status=%2B972501234567 HTTP/1.1",
            "GET /calls?status=%2B********4567 HTTP/1.1",
        ),
        ("?to=%2b972501234567&x=1", "?to=%2b********4567&x=1"),
        ("/twilio/debug/+972501234567", "/twilio/debug/+********4567"),
        ("/twilio/debug/%2B972501234567 HTTP/1.1", "/twilio/debug/%2B********4567 HTTP/1.1"),
        ("q=%2B972%2050%20123%204567", "q=%2B********4567"),
        ("q=050%2D123%2D4567&", "q=******4567&"),
        ("next%3D%2B972501234567", "next%3D%2B********4567"),
        ("next%3D0501234567", "next%3D******4567"),
        ("x=abc%2B972501234567", "x=abc%2B********4567"),
        ("?phone=+972-50-123-4567", "?phone=+********4567"),
        ("?phone= 972501234567", "?phone= ********4567"),  # a "+" decoded as a space
        ("dial 00972501234567", "dial **********4567"),
        ("/leads/by-phone/0501234567/", "/leads/by-phone/******4567/"),
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
        "/calls/123?offset=20&limit=50",
        "RE0123456789abcdef0123456789abcdef.wav",
        "%2B12",
        "request_id=8cbe0f0df97642f78e0fd38c5bfd85a4",
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
    path = "/twilio/debug/%2B972501234567?status=%2B972501234567"
    access = ('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 404)
    logging.getLogger("uvicorn.access").info(*access)  # uvicorn's own access-log format
    structlog.contextvars.clear_contextvars()

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert [line["event"] for line in lines][:3] == [
        "dialing",
        "failed",
        "stdlib says ******4567",
    ]
    assert lines[3]["event"] == (
        '127.0.0.1:5000 - "GET /twilio/debug/%2B********4567?status=%2B********4567 HTTP/1.1" 404'
    )
    assert lines[0]["to"] == "+********4567"
    assert lines[0]["nested"] == {"phones": ["******2233"]}
    assert lines[0]["request_id"] == "req-1"
    assert "ValueError" in lines[1]["exception"]
    assert "4567" in lines[1]["exception"]
    assert "972501234567" not in json.dumps(lines)


@pytest.mark.usefixtures("restore_logging")
def test_http_clients_log_each_request_only_at_debug(capsys: pytest.CaptureFixture[str]) -> None:
    request = ('HTTP Request: %s %s "%s"', "POST", "https://api.openai.com/v1/x", "HTTP/1.1 200")
    configure_logging("INFO", json=True)
    for name in ("httpx", "httpx2"):
        logging.getLogger(name).info(*request)
        logging.getLogger(name).warning("a client warning")
    configure_logging("DEBUG", json=True)
    logging.getLogger("httpx2").info(*request)

    events = [json.loads(line)["event"] for line in capsys.readouterr().out.splitlines() if line]
    said = 'HTTP Request: POST https://api.openai.com/v1/x "HTTP/1.1 200"'
    assert events == ["a client warning", "a client warning", said]
