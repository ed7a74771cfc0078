"""``apps.clc.bulk.bulk_parsing``: the collector pauses while a big answer is parsed and resumes
when the last parse (any thread) ends; a process that had it off keeps it off."""

import gc
import threading

from apps.clc.bulk import bulk_parsing


def test_paused_while_any_parse_runs_then_resumed():
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other_parse():
        with bulk_parsing():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other_parse)
    with bulk_parsing():
        assert not gc.isenabled()
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread still parses
    release.set()
    thread.join(10)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with bulk_parsing():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_exclusive_parses_take_turns():
    order = []
    first_in, release = threading.Event(), threading.Event()

    def first():
        with bulk_parsing(exclusive=True):
            first_in.set()
            release.wait(10)
            order.append("first")

    def second():
        with bulk_parsing(exclusive=True):
            order.append("second")

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(0.2)
    assert order == []  # waits for its turn
    release.set()
    a.join(10)
    b.join(10)
    assert order == ["first", "second"] and gc.isenabled()
