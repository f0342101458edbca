"""Campaigns: calling a list of leads with pacing, calling windows, retries and do-not-call."""
