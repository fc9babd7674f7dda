"""Jobs' pure rules: chunks of recipients, the spacing of sends under the SES rate, when an export hands over."""

from itertools import pairwise

import pytest

from crm.domain.jobs import (
    HANDOVER_MARGIN_MS,
    RECIPIENTS_PER_CHUNK,
    chunk_count,
    chunks,
    room_for_another_part,
    send_interval,
    send_offsets,
)


def test_recipients_split_into_chunks_in_order_the_last_one_shorter():
    people = [f"lead-{number}" for number in range(23)]
    split = chunks(people, 10)
    assert [len(chunk) for chunk in split] == [10, 10, 3]
    assert [person for chunk in split for person in chunk] == people
    assert chunk_count(23, 10) == 3 and chunk_count(20, 10) == 2 and chunk_count(0, 10) == 0
    assert chunks([]) == [] and len(chunks(people)) == chunk_count(23) == -(-23 // RECIPIENTS_PER_CHUNK)
    with pytest.raises(ValueError):
        chunks(people, 0)


@pytest.mark.parametrize(("rate", "workers", "interval"), [(1, 2, 2.0), (14, 2, 2 / 14), (10, 1, 0.1)])
def test_workers_sending_at_once_share_the_rate(rate, workers, interval):
    assert send_interval(rate, workers) == pytest.approx(interval)


def test_a_chunks_emails_are_spread_evenly_from_its_start_so_no_second_holds_more_than_the_workers_share():
    # Given a rate of 14 emails a second shared by 2 workers
    offsets = send_offsets(10, 14, 2)
    # Then the first goes at once and each next one 1/7 s later
    assert offsets[0] == 0 and len(offsets) == 10
    assert [round(later - earlier, 9) for earlier, later in pairwise(offsets)] == [
        round(1 / 7, 9)] * 9
    # And within any one second, one worker sends at most 7 (half the rate)
    assert max(sum(1 for offset in offsets if start <= offset < start + 1) for start in offsets) == 7
    assert send_offsets(0, 14, 2) == []


@pytest.mark.parametrize(("rate", "workers"), [(0, 2), (-1, 2), (1, 0)])
def test_a_rate_or_a_concurrency_that_is_not_positive_is_refused(rate, workers):
    with pytest.raises(ValueError):
        send_offsets(3, rate, workers)


def test_an_export_goes_on_to_another_part_only_with_time_for_two_more_and_a_margin():
    assert room_for_another_part(2 * 3_000 + HANDOVER_MARGIN_MS + 1, 3_000)
    assert not room_for_another_part(2 * 3_000 + HANDOVER_MARGIN_MS, 3_000)
    assert not room_for_another_part(HANDOVER_MARGIN_MS, 0)
