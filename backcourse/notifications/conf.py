"""Knobs for reminders, read from environment variables (see README, "Background worker")."""

from datetime import timedelta

from backcourse.env import env_int


def claim_timeout() -> timedelta:
    """How long a reminder may stay 'sending' before a later scan assumes the worker died
    between claiming it and handing it to the mail server, and sends it again."""
    return timedelta(seconds=env_int("REMINDER_CLAIM_TIMEOUT_SECONDS", 15 * 60))


def maintenance_lookback() -> timedelta:
    """A maintenance reminder whose due date lies further back than this is not sent: it
    would only surprise a client who left long ago (e.g. right after an import)."""
    return timedelta(days=env_int("MAINTENANCE_REMINDER_LOOKBACK_DAYS", 14))


def scan_limit() -> int:
    """At most this many reminders per scan; the next scan takes the rest."""
    return env_int("REMINDER_SCAN_LIMIT", 500)
