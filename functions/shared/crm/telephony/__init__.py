"""Telephony: provider webhooks (Twilio, Telnyx, any PBX) read into one call event, and click-to-call."""
