"""The providers behind one interface; `provider_for` builds one from the telephony secret.

Imports nothing heavy itself: twiml and the dialer live in this package and must not load pydantic with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crm.telephony.providers.base import Provider
    from crm.telephony.secrets import TelephonySecret

PROVIDER_NAMES = ("twilio", "telnyx", "pbx")


def build_provider(name: str, secret: TelephonySecret, default_region: str) -> Provider:
    """The provider `name` with its credentials from `secret`; an unknown name is a SignatureError (403)."""
    if name == "twilio":
        from crm.telephony.providers.twilio import TwilioProvider

        return TwilioProvider(secret.twilio_auth_token, default_region)
    if name == "telnyx":
        from crm.telephony.providers.telnyx import TelnyxProvider

        return TelnyxProvider(secret.telnyx_public_key, default_region)
    if name == "pbx":
        from crm.telephony.providers.pbx import PbxProvider

        return PbxProvider(secret.pbx_secret, default_region)
    from crm.telephony.events import SignatureError

    raise SignatureError(f"unknown telephony provider {name!r}")


def provider_for(name: str) -> Provider:
    """The provider `name`, configured from the TELEPHONY_SECRET secret and read in DEFAULT_PHONE_REGION."""
    from crm.settings import get_settings
    from crm.telephony.secrets import telephony_secret

    return build_provider(name, telephony_secret(), get_settings().default_phone_region)
