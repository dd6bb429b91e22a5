"""Outage math of renewal delivery (delivery/outages.py, pure): spans merged and counted, the days an
entrance has no working elevator and has at least one out, and those days per household, at the
edges of every span and histogram bin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.delivery import outages as o

D = dt.date


def span(first: int, last: int) -> o.Span:
    """Days of January 2025."""
    return (D(2025, 1, first), D(2025, 1, last))


def test_span_days_count_both_ends() -> None:
    assert o.span_days([]) == 0
    assert o.span_days([span(1, 1)]) == 1
    assert o.span_days([span(1, 10), span(20, 20)]) == 11
    assert o.span_days([(D(2024, 12, 31), D(2025, 1, 1))]) == 2  # across the year's end


def test_merge_spans_joins_overlapping_and_touching_spans_only() -> None:
    assert o.merge_spans([]) == []
    assert o.merge_spans([span(5, 9), span(1, 4)]) == [span(1, 9)]  # touching (4 then 5), given out of order
    assert o.merge_spans([span(1, 4), span(6, 9)]) == [span(1, 4), span(6, 9)]  # one free day between
    assert o.merge_spans([span(1, 20), span(3, 5)]) == [span(1, 20)]  # contained
    assert o.merge_spans([span(1, 5), span(1, 5)]) == [span(1, 5)]


def test_two_elevators_overlapping_five_days_leave_the_entrance_five_days_without_one() -> None:
    outage = o.entrance_outage({1: [(D(2025, 3, 1), D(2025, 3, 15))], 2: [(D(2025, 3, 11), D(2025, 3, 24))]}, 2)
    assert outage.none == ((D(2025, 3, 11), D(2025, 3, 15)),)
    assert outage.none_days == 5
    assert outage.some == ((D(2025, 3, 1), D(2025, 3, 24)),)
    assert outage.some_days == 24
    stats = o.household_outage([(6, outage)])
    assert (stats.households, stats.mean_none, stats.median_none, stats.max_none) == (6, 5, 5, 5)
    assert stats.histogram[1] == (1, 7, 6, 0)  # all six households: 1-7 days without an elevator


def test_outage_counts_every_elevator_of_the_entrance_and_merges_an_elevators_spans() -> None:
    spans = {1: [(D(2025, 3, 1), D(2025, 3, 15))], 2: [(D(2025, 3, 11), D(2025, 3, 24))]}
    assert o.entrance_outage(spans, 3).none == ()  # a third elevator keeps running
    assert o.entrance_outage(spans, 3).some_days == 24
    one = o.entrance_outage({7: [(D(2025, 1, 1), D(2025, 1, 10)), (D(2025, 1, 5), D(2025, 1, 12))]}, 1)
    assert one.none == one.some == ((D(2025, 1, 1), D(2025, 1, 12)),)
    # touching spans of two elevators, one at a time: never none
    apart = o.entrance_outage({1: [(D(2025, 1, 1), D(2025, 1, 9))], 2: [(D(2025, 1, 10), D(2025, 1, 19))]}, 2)
    assert apart.none_days == 0
    assert apart.some_days == 19
    assert o.entrance_outage({}, 2) == o.Outage()
    assert o.entrance_outage({}, 0) == o.Outage()


def test_household_outage_weights_by_households_mean_median_max_histogram() -> None:
    ten = o.Outage(none=((D(2025, 1, 1), D(2025, 1, 10)),), some=((D(2025, 1, 1), D(2025, 1, 20)),))
    nothing = o.Outage()
    stats = o.household_outage([(3, nothing), (2, ten)])
    assert stats.households == 5
    assert stats.entrances == 2
    assert stats.mean_none == Decimal("4.0")  # (3 × 0 + 2 × 10) / 5
    assert stats.median_none == Decimal(0)  # 0 0 0 10 10
    assert stats.max_none == 10
    assert stats.mean_some == Decimal("8.0")
    assert stats.max_some == 20
    assert [h[2] for h in stats.histogram] == [3, 0, 1 * 2, 0, 0, 0, 0]
    assert [h[3] for h in stats.histogram] == [3, 0, 0, 2, 0, 0, 0]
    even = o.household_outage([(2, nothing), (2, ten)])
    assert even.median_none == Decimal("5.0")  # 0 0 10 10
    empty = o.household_outage([(0, ten)])
    assert empty.households == 0
    assert empty.max_none == 0
    assert len(empty.histogram) == len(o.OUTAGE_BINS)


def test_no_working_elevator_ends_the_day_before_the_first_one_is_back() -> None:
    outage = o.entrance_outage({1: [span(1, 10)], 2: [span(10, 20)]}, 2)
    assert outage.none == (span(10, 10),)  # one day in common
    assert outage.some == (span(1, 20),)
    back_to_back = o.entrance_outage({1: [span(1, 10)], 2: [span(1, 10)]}, 2)
    assert back_to_back.none == back_to_back.some == (span(1, 10),)


def test_an_entrance_has_at_least_as_many_elevators_as_are_out() -> None:
    # Told it has one elevator but two are out: both count, so it is without one only while both are.
    outage = o.entrance_outage({1: [span(1, 10)], 2: [span(5, 20)]}, 1)
    assert outage.none == (span(5, 10),)
    assert o.entrance_outage({1: [span(1, 3)]}, 0).none_days == 3


def test_one_elevator_out_twice_gives_two_spans() -> None:
    outage = o.entrance_outage({1: [span(1, 3), span(10, 12)]}, 1)
    assert outage.none == outage.some == (span(1, 3), span(10, 12))
    assert outage.none_days == outage.some_days == 6


@pytest.mark.parametrize(
    ("days", "index"),
    [(0, 0), (1, 1), (7, 1), (8, 2), (14, 2), (15, 3), (30, 3), (31, 4), (60, 4), (61, 5), (90, 5), (91, 6), (400, 6)],
)
def test_histogram_bins_include_both_ends(days: int, index: int) -> None:
    outage = o.Outage(none=((D(2025, 1, 1), D(2025, 1, 1) + dt.timedelta(days=days - 1)),) if days else ())
    stats = o.household_outage([(1, outage)])
    assert stats.max_none == days
    assert [h[2] for h in stats.histogram] == [1 if i == index else 0 for i in range(len(o.OUTAGE_BINS))]
    assert stats.histogram[index][:2] == o.OUTAGE_BINS[index]


def test_means_and_medians_round_half_up_to_a_tenth() -> None:
    one, two = o.Outage(none=(span(1, 1),)), o.Outage(none=(span(1, 2),))
    assert o.household_outage([(1, o.Outage()), (1, one)]).median_none == Decimal("0.5")
    assert o.household_outage([(1, one), (1, two)]).median_none == Decimal("1.5")
    assert o.household_outage([(2, o.Outage()), (1, one)]).mean_none == Decimal("0.3")  # 1/3
    assert o.household_outage([(1, o.Outage()), (2, one)]).mean_none == Decimal("0.7")  # 2/3
    assert o.household_outage([(3, one)]).median_none == Decimal(1)


def test_entrances_without_households_do_not_count() -> None:
    stats = o.household_outage([(0, o.Outage(none=(span(1, 30),))), (4, o.Outage())])
    assert (stats.households, stats.entrances, stats.max_none) == (4, 1, 0)
    assert o.household_outage([]) == o.household_outage([(0, o.Outage())])
