"""Single-use email links: the secret goes into the email, only its hash is stored."""

import hashlib
import secrets


def token_new() -> tuple[str, str]:
    """(secret for the link, hash to store)."""
    secret = secrets.token_urlsafe(32)
    return secret, token_hash(secret)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
