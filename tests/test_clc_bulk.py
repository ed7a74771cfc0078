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
