"""Typed dependency aliases for core things only, so importing a router loads no provider SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import Clock
from app.config import Settings
from app.db import session_scope
from app.events import EventSink
from app.security import require_api_key


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with session_scope(request.app.state.sessionmaker) as session:
        yield session


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return sessions


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_events(request: Request) -> EventSink:
    events: EventSink = request.app.state.events
    return events


# scope="function": the commit happens before the response leaves, so a 201 means it is stored.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
# For handlers that wait on a provider: they open short transactions instead of holding one.
DbSessions = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
AppClock = Annotated[Clock, Depends(get_clock)]
# Where a change other systems hear about is announced, in the request's own transaction.
Events = Annotated[EventSink, Depends(get_events)]
ApiKey = Depends(require_api_key)
