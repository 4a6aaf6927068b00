"""The worker's long-lived heap is settled out of the collector's way, and what was settled is still collected
once it becomes garbage and the heap is settled again."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from services import heap


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> tuple[_Node, weakref.ref[_Node]]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return a, weakref.ref(b)


@pytest.fixture
def unsettled(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(heap, "_settled", False)
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_process_that_never_settled_is_left_alone(unsettled: None) -> None:
    assert heap.resettle() is None
    assert gc.get_freeze_count() == 0


def test_settled_objects_leave_the_collector_and_come_back_as_garbage_at_the_next_settle(unsettled: None) -> None:
    head, probe = _cycle()
    heap.settle()
    assert gc.get_freeze_count() > 0
    del head  # the cycle is garbage now, but frozen: an ordinary full collection does not see it
    gc.collect()
    assert probe() is not None
    assert heap.resettle() is not None  # unfrozen, collected, the survivors frozen again
    assert probe() is None


def test_garbage_made_before_a_settle_is_collected_not_frozen(unsettled: None) -> None:
    head, probe = _cycle()
    del head
    heap.settle()
    assert probe() is None
