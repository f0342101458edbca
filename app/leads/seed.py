"""Demo leads, so a fresh install has someone to call in the simulator."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.leads import repository
from app.leads.models import Lead

DEMO_LEADS: tuple[dict[str, str], ...] = (
    {
        "name": "David Cohen",
        "phone": "+972501234567",
        "company": "Cohen Logistics",
        "gender": "male",
    },
    {"name": "Roy Levi", "phone": "+972521234568", "company": "Levi Tech", "gender": "male"},
    {
        "name": "Tamar Mizrahi",
        "phone": "+972541234569",
        "company": "Mizrahi Insurance",
        "gender": "female",
    },
    {
        "name": "Maya Friedman",
        "phone": "+972531234570",
        "company": "Friedman Realty",
        "gender": "female",
    },
    {"name": "Alex Shapiro", "phone": "+972581234571", "company": "Shapiro Solar"},
)


async def seed_demo_leads(session: AsyncSession) -> int:
    """Adds the demo leads to an empty database only; returns how many were added."""
    if await repository.count(session) > 0:
        return 0
    for values in DEMO_LEADS:
        session.add(Lead(**values, notes="Demo lead", consent_source="demo seed"))
    await session.flush()
    return len(DEMO_LEADS)
