"""Outbound integrations: the durable outbox and what it delivers (email, SMS)."""
