"""The simulator: a call with no phone network, same pipeline and records as a Twilio call."""
