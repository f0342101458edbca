"""Twilio Programmable Voice: the REST client, TwiML, the /twilio webhooks; its words stay here."""
