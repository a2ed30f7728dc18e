"""Signed, expiring acknowledge links (itsdangerous, Flask's own signing library)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "hotline-alert-ack"
MAX_ALERTS_PER_LINK = 500


class LinkError(ValueError):
    """The link is forged, damaged or expired."""


@dataclass(frozen=True)
class AckClaim:
    """What an acknowledge link allows: these alerts, told to this audience."""

    alert_ids: tuple[int, ...]
    audience: str


class AckLinks:
    """Makes and checks acknowledge tokens."""

    def __init__(self, secret: str, max_age_hours: float) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self.max_age_seconds = int(max_age_hours * 3600)

    def token(self, alert_ids: Sequence[int], audience: str) -> str:
        """A token for these alerts."""
        return str(self._serializer.dumps({"a": [int(i) for i in alert_ids], "u": audience[:80]}))

    def check(self, token: str) -> AckClaim:
        """The claim of a token; LinkError when forged, damaged or expired."""
        if not isinstance(token, str) or len(token) > 8000:
            raise LinkError("malformed")
        try:
            value = self._serializer.loads(token, max_age=self.max_age_seconds)
        except SignatureExpired:
            raise LinkError("expired") from None
        except BadSignature:
            raise LinkError("bad signature") from None
        if not isinstance(value, dict):
            raise LinkError("malformed")
        ids = value.get("a")
        audience = value.get("u")
        if (
            not isinstance(ids, list)
            or not ids
            or len(ids) > MAX_ALERTS_PER_LINK
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
            or not isinstance(audience, str)
        ):
            raise LinkError("malformed")
        return AckClaim(tuple(ids), audience)
