"""Calls: one record per phone (or simulated) call, with its turns in Hebrew and English."""
