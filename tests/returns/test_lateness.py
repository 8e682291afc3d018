"""One rule for lateness: the return page, the API, the export and completeness agree on every case."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from association.returns.lateness import end_of_day, is_late, on_time

DUE = date(2024, 12, 31)


@pytest.mark.parametrize(("first_submitted_at", "today", "late"), [
    (None, date(2024, 12, 31), False),  # not yet due
    (None, date(2025, 1, 1), True),  # due and still not submitted
    (datetime(2024, 12, 31, 18, 0, tzinfo=timezone.utc), date(2025, 3, 1), False),  # 23:00 in Astana: in time
    (datetime(2024, 12, 31, 19, 30, tzinfo=timezone.utc), date(2025, 3, 1), True),  # 00:30 the next day there
])
def test_lateness(first_submitted_at, today, late):
    assert is_late(first_submitted_at, DUE, today) is late
    assert on_time(first_submitted_at, DUE) is (first_submitted_at is not None and not late)


def test_the_deadline_is_the_end_of_the_day_in_astana():
    assert end_of_day(DUE).utcoffset().total_seconds() == 5 * 3600
