"""Outbound webhooks (Standard Webhooks): subscriptions, an outbox of deliveries, a worker."""
