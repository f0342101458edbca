"""Meetings: availability rules and booked slots."""
