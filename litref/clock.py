"""The one clock every command stamps its writes with."""

from datetime import datetime, timezone


def utc_now():
    """Now, in UTC, as the ISO text stored in the database ('2026-11-30T03:30:00+00:00')."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
