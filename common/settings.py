"""Deployment settings the clinic configures through environment variables (see README)."""
import os
from typing import Optional


def emergency_number() -> str:
    return os.environ.get("EMERGENCY_NUMBER", "").strip() or "911"


def booking_url() -> Optional[str]:
    return os.environ.get("BOOKING_URL", "").strip() or None


def booking_phone() -> Optional[str]:
    return os.environ.get("BOOKING_PHONE", "").strip() or None
