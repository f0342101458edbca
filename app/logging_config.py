"""structlog JSON logs with a request id on every line and phone numbers masked everywhere."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

# International (+972 50 123 4567, +972501234567), bare 972..., and Israeli local (050-123-4567).
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d[\d\- ()]{6,18}\d|972\d{8,9}|0\d{1,2}[\- ]?\d{3}[\- ]?\d{4})(?![\w])"
)
_UNMASKED_KEYS = frozenset({"timestamp", "level", "logger"})


def mask_phone_numbers(text: str) -> str:
    """Keeps only the last four digits of anything that looks like a phone number."""

    def _mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) < 8:
            return match.group(0)
        prefix = "+" if match.group(0).startswith("+") else ""
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
        uvicorn_logger.propagate = True
