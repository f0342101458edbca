"""Outbound integrations: what leaves the service for CRMs and automation."""
