"""Hebrew the caller hears: the hand-written phrase catalog and Hebrew date/time wording."""
