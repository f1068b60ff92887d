"""Danish dates and times: `date_text` and the audit trail's "kl. 14.05" in Copenhagen time (`local_time_text`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from boligsocial.danish import local_time_text


def test_today_is_only_the_clock() -> None:
    moment = datetime(2025, 2, 3, 13, 5, tzinfo=UTC)
    assert local_time_text(moment, now=moment) == "kl. 14.05"


def test_another_day_has_the_date() -> None:
    moment = datetime(2025, 2, 3, 13, 5, tzinfo=UTC)
    assert local_time_text(moment, now=datetime(2025, 3, 1, tzinfo=UTC)) == "den 3. februar 2025 kl. 14.05"


def test_winter_time_is_utc_plus_one_and_summer_time_utc_plus_two() -> None:
    winter = datetime(2025, 1, 15, 11, 30, tzinfo=UTC)
    summer = datetime(2025, 7, 15, 11, 30, tzinfo=UTC)
    later = datetime(2026, 1, 1, tzinfo=UTC)
    assert local_time_text(winter, now=later) == "den 15. januar 2025 kl. 12.30"
    assert local_time_text(summer, now=later) == "den 15. juli 2025 kl. 13.30"


def test_the_day_changes_at_copenhagen_midnight_not_utc_midnight() -> None:
    # 22.30 UTC on 30 June is 00.30 on 1 July in Copenhagen (summer time).
    moment = datetime(2025, 6, 30, 22, 30, tzinfo=UTC)
    assert local_time_text(moment, now=datetime(2025, 7, 1, 10, 0, tzinfo=UTC)) == "kl. 00.30"
    assert local_time_text(moment, now=datetime(2025, 6, 30, 21, 0, tzinfo=UTC)) == "den 1. juli 2025 kl. 00.30"


def test_a_moment_without_zone_is_utc() -> None:
    # SQLite gives stored UTC timestamps back without a zone.
    naive = datetime(2025, 2, 3, 13, 5)
    assert local_time_text(naive, now=datetime(2025, 2, 3, 20, 0, tzinfo=UTC)) == "kl. 14.05"


def test_other_zones_are_converted() -> None:
    moment = datetime(2025, 2, 3, 8, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert local_time_text(moment, now=datetime(2025, 12, 24, tzinfo=UTC)) == "den 3. februar 2025 kl. 14.05"


def test_unknown_moment() -> None:
    assert local_time_text(None) == "på et ukendt tidspunkt"


def test_a_date_is_written_with_the_month_name() -> None:
    from datetime import date

    from boligsocial.danish import date_text

    assert date_text(date(2025, 2, 3)) == "3. februar 2025"
    assert date_text(date(2028, 12, 31)) == "31. december 2028"
