"""ingest.volunteer.TokenBucket on its own, with the monotonic clock under the test's control."""

from __future__ import annotations

import pytest

from ingest import pipeline
from ingest.volunteer import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(pipeline.time, "monotonic", c)
    return c


def test_a_burst_passes_then_the_rest_waits_for_the_rate(clock):
    bucket = TokenBucket(rate=2.0, burst=10)
    assert bucket.take(10) == (10, 0)
    granted, wait_ms = bucket.take(3)
    assert granted == 0
    assert wait_ms == 1500  # 3 tokens at 2/s


def test_tokens_refill_at_the_rate_up_to_the_burst(clock):
    bucket = TokenBucket(rate=2.0, burst=10)
    bucket.take(10)
    clock.now += 1.0
    assert bucket.take(5) == (2, 1500)
    clock.now += 3600
    assert bucket.take(20)[0] == 10  # never more than the burst however long the pause


def test_the_wait_for_more_than_a_burst_is_the_wait_for_a_burst(clock):
    bucket = TokenBucket(rate=1.0, burst=5)
    bucket.take(5)
    assert bucket.take(1000) == (0, 5000)


def test_a_partial_token_is_not_granted_but_shortens_the_wait(clock):
    bucket = TokenBucket(rate=4.0, burst=4)
    bucket.take(4)
    clock.now += 0.125  # half a token
    assert bucket.take(1) == (0, 125)
    assert bucket.take(0) == (0, 0)
