"""When an annual return is late: the one rule that the return page, the API, the exports, completeness and the
dashboard all use, so that they can never disagree."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

# The Association works on Astana time (the configured BABEL_DEFAULT_TIMEZONE): a return is due by the end of its
# due date there.
DEFAULT_TIMEZONE = "Asia/Almaty"


def association_timezone() -> ZoneInfo:
    """The Association's time zone, from the configuration."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in the Association's time zone."""
    return datetime.combine(day, time.max, tzinfo=association_timezone())


def is_late(first_submitted_at: datetime | None, due_on: date, today: date | None = None) -> bool:
    """First submitted after the end of the due date; or, never submitted, the due date has passed."""
    if first_submitted_at is not None:
        return first_submitted_at > end_of_day(due_on)
    return (today or date.today()) > due_on


def on_time(first_submitted_at: datetime | None, due_on: date) -> bool:
    """Submitted, and first by the end of the due date (what completeness counts as "on time")."""
    return first_submitted_at is not None and not is_late(first_submitted_at, due_on)
