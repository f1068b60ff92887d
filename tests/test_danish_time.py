"""Danish dates and times: `date_text`, and every stored moment in Copenhagen time in one format
(`local_stamp`, `local_time_text`; issue 13, point 8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from boligsocial.danish import local_stamp, local_time_text


def test_every_moment_has_the_same_format_in_copenhagen_time() -> None:
    moment = datetime(2025, 2, 3, 13, 5, tzinfo=UTC)
    assert local_stamp(moment) == "03.02.2025 kl. 14.05"
    assert local_time_text(moment) == "den 03.02.2025 kl. 14.05"  # the same inside a sentence


def test_winter_time_is_utc_plus_one_and_summer_time_utc_plus_two() -> None:
    assert local_stamp(datetime(2025, 1, 15, 11, 30, tzinfo=UTC)) == "15.01.2025 kl. 12.30"
    assert local_stamp(datetime(2025, 7, 15, 11, 30, tzinfo=UTC)) == "15.07.2025 kl. 13.30"


def test_the_day_changes_at_copenhagen_midnight_not_utc_midnight() -> None:
    # 22.30 UTC on 30 June is 00.30 on 1 July in Copenhagen (summer time).
    assert local_stamp(datetime(2025, 6, 30, 22, 30, tzinfo=UTC)) == "01.07.2025 kl. 00.30"


def test_a_moment_without_zone_is_utc() -> None:
    # SQLite gives stored UTC timestamps back without a zone.
    assert local_stamp(datetime(2025, 2, 3, 13, 5)) == "03.02.2025 kl. 14.05"


def test_other_zones_are_converted() -> None:
    moment = datetime(2025, 2, 3, 8, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert local_stamp(moment) == "03.02.2025 kl. 14.05"


def test_unknown_moment() -> None:
    assert local_time_text(None) == "på et ukendt tidspunkt" and local_stamp(None) == ""


def test_a_date_is_written_with_the_month_name() -> None:
    from datetime import date

    from boligsocial.danish import date_text

    assert date_text(date(2025, 2, 3)) == "3. februar 2025"
    assert date_text(date(2028, 12, 31)) == "31. december 2028"
