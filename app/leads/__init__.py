"""Leads: the people a campaign calls."""
