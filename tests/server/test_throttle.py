"""server/throttle.py: budgets per key and caps per key, pure."""

from __future__ import annotations

import time

from server.throttle import KeyedBudget, PerKeyCap


def test_budget_allows_a_burst_then_refuses_until_it_refills():
    budget = KeyedBudget(per_s=20.0, burst=3)
    for _ in range(3):
        assert budget.wait_ms("1.2.3.4") == 0
        budget.spend("1.2.3.4")
    assert 0 < budget.wait_ms("1.2.3.4") <= 50
    assert budget.wait_ms("5.6.7.8") == 0  # another key has its own budget
    time.sleep(0.06)
    assert budget.wait_ms("1.2.3.4") == 0


def test_budget_table_is_bounded():
    budget = KeyedBudget(per_s=1.0, burst=1, max_keys=10)
    for i in range(25):
        budget.spend(str(i))
    assert len(budget._spent) <= 10


def test_cap_per_key():
    cap = PerKeyCap(2)
    assert cap.acquire("a") and cap.acquire("a") and not cap.acquire("a")
    assert cap.acquire("b")
    cap.release("a")
    assert cap.acquire("a")
    cap.release("a"), cap.release("a"), cap.release("b")
    assert cap._held == {}
