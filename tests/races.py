"""Running two requests at the same moment, each in its own thread with its own database connection.

`at_once(patch_target, first, second)` replaces `patch_target` (a method both requests call after
reading the stored rows and before writing them, e.g. a model's `full_clean`) with one that waits for
the other thread, so both have read "no row yet" before either writes: the first-save race, every time.
A fix that serialises the requests (a row lock) makes the wait time out, which is fine.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection, connections

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite locks the whole database for a write, so two first saves cannot race there; "
    "run with DATABASE_URL=postgres://…",
)


def at_once(monkeypatch, patch_target, original, *calls):
    """Run `calls` in threads, meeting at `patch_target`; returns their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))

    def meet(self, *args, **kwargs):
        # A timeout means the other request waits on a lock this one holds: go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=3)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(patch_target[0], patch_target[1], meet)
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except Exception as exc:  # the test asserts on it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
