"""The telephony secret: ONE Secrets Manager secret (env TELEPHONY_SECRET) holding every provider's credentials as
JSON, read once per process. An empty field leaves that provider unconfigured (its webhook answers 403)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, fields

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TelephonySecret:
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_number: str = ""
    telnyx_api_key: str = ""
    telnyx_public_key: str = ""  # base64 Ed25519 public key
    telnyx_connection_id: str = ""
    telnyx_number: str = ""
    pbx_secret: str = ""

    @classmethod
    def from_json(cls, text: str) -> TelephonySecret:
        """Known keys only; a secret that is not a JSON object configures no provider (and says so in the log)."""
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            _log.error("the telephony secret is not a JSON object: every provider is refused")
            return cls()
        return cls(**{field.name: str(document.get(field.name) or "") for field in fields(cls)})


def telephony_secret(secret_id: str | None = None) -> TelephonySecret:
    """The secret named by `secret_id` (default: the TELEPHONY_SECRET setting); none named configures nothing."""
    if secret_id is None:
        from crm.settings import get_settings

        secret_id = get_settings().telephony_secret
    if not secret_id:
        return TelephonySecret()
    from crm.integrations.secrets import secret_string

    return TelephonySecret.from_json(secret_string(secret_id))
