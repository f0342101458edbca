"""structlog JSON logs with a request id on every line and phone numbers masked everywhere."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

# Every form a number takes in a log line: international (+972 50 123 4567, +972501234567),
# bare 972..., 00972..., Israeli local (050-123-4567), and each of them URL-encoded as it appears
# in paths and query strings (%2B972501234567, 050%20123%204567), after `=`, `/` or `%3D`.
_PLUS = r"(?:\+|%2[Bb])"
_SEP = r"(?:[\- ()]|%20|%2[Dd]|%28|%29)"
_PHONE = re.compile(
    r"(?:(?<![\w+%])|(?<=%[0-9A-Fa-f]{2}))"
    rf"(?:{_PLUS}\d(?:{_SEP}{{0,2}}\d){{6,17}}"
    rf"|972(?:{_SEP}?\d){{8,9}}"
    rf"|00[1-9](?:{_SEP}?\d){{7,14}}"
    rf"|0\d{{1,2}}{_SEP}?\d{{3}}{_SEP}?\d{{4}})"
    r"(?!\w)"
)
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
QUIET_AT_INFO = ("httpx", "httpx2")
# Structure, not content; `_record` is the stdlib record, removed before rendering.
_UNMASKED_KEYS = frozenset({"timestamp", "level", "logger", "_record", "_from_structlog"})


def mask_phone_numbers(text: str) -> str:
    """Keeps only the last four digits of anything that looks like a phone number."""

    def _mask(match: re.Match[str]) -> str:
        found = match.group(0)
        digits = re.sub(r"\D", "", _ESCAPE.sub("", found))
        if len(digits) < 8:
            return found
        prefix = found[:3] if found[:3].upper() == "%2B" else "+" if found[0] == "+" else ""
        return f"{prefix}{'*' * (len(digits) - 4)}{digits[-4:]}"

    return _PHONE.sub(_mask, text)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_phone_numbers(value)
    if isinstance(value, Mapping):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_mask_value(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return mask_phone_numbers(str(value))


def mask_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: runs after exceptions are rendered, so tracebacks are masked too."""
    for key, value in list(event_dict.items()):
        if key not in _UNMASKED_KEYS:
            event_dict[key] = _mask_value(value)
    return event_dict


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """Routes structlog and stdlib logging (uvicorn, sqlalchemy) through one masked renderer."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        mask_processor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.setLevel(logging.NOTSET)  # LOG_LEVEL decides, not uvicorn's own level
        uvicorn_logger.propagate = True
    # The HTTP clients log every request at INFO; the provider metrics and the turn's own line
    # already say what a turn called and how long it took, so they speak up only to debug.
    for name in QUIET_AT_INFO:
        quiet = root.level > logging.DEBUG
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.NOTSET)
