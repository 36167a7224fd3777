"""Knobs for reminders. They are set in settings.py (from environment variables, see
README, "Background worker"); read through these functions so tests can override the
settings."""

from datetime import timedelta

from django.conf import settings


def claim_timeout() -> timedelta:
    return settings.REMINDER_CLAIM_TIMEOUT


def maintenance_lookback() -> timedelta:
    return settings.MAINTENANCE_REMINDER_LOOKBACK


def scan_limit() -> int:
    return settings.REMINDER_SCAN_LIMIT
