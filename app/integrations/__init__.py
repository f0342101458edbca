"""Outbound integrations: the durable outbox and what leaves the service (email, SMS, webhooks)."""
