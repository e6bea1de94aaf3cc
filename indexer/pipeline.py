"""Producing items in a second process while this one consumes them.

An import is two kinds of work: reading and converting records (pure Python, CPU-bound) and
sending bulk requests (mostly waiting on Elasticsearch). In one process the converter and the
sender take turns on the GIL; in two processes they run at the same time, on two cores.

The producer is forked, so it inherits the iterator as it is (an open file reader, a
converter with its caches): nothing about it needs to be picklable except what it yields.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import traceback
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = "done"
_ITEM = "item"
_FAILED = "failed"


class ProducerDied(RuntimeError):
    """The producing process ended without finishing (killed, out of memory, ...)."""


def _portable(exc: BaseException) -> BaseException:
    """`exc`, with the producer's traceback as a note, or a RuntimeError if it cannot pickle."""
    exc.add_note("raised in the producing process:\n" + "".join(traceback.format_exception(exc)))
    try:
        pickle.dumps(exc)
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _produce(items: Iterator, out, consumer: int) -> None:
    def put(message: tuple) -> None:
        while True:
            try:
                out.put(message, timeout=1.0)
                return
            except queue.Full:
                if os.getppid() != consumer:  # the consumer died: nobody will read this
                    os._exit(1)

    try:
        for item in items:
            put((_ITEM, item))
        put((_DONE, None))
    except BaseException as exc:  # handed to the consumer, raised there
        put((_FAILED, _portable(exc)))
    out.close()
    out.join_thread()  # everything put is in the pipe before this process exits


def ahead(items: Iterator[T], size: int = 4) -> Iterator[T]:
    """`items`, produced by a forked process at most `size` items ahead of the consumer.

    An exception in the producer is raised here; if the consumer stops early (or fails),
    the producer is killed. Memory is bounded by `size` items in flight.
    """
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=size)
    producer = context.Process(
        target=_produce, args=(items, channel, os.getpid()), name="import-converter"
    )
    producer.start()
    try:
        while True:
            try:
                kind, value = channel.get(timeout=1.0)
            except queue.Empty:
                if not producer.is_alive():
                    raise ProducerDied(
                        f"the converting process stopped unexpectedly (exit code {producer.exitcode})"
                    ) from None
                continue
            if kind == _ITEM:
                yield value
            elif kind == _DONE:
                break
            else:
                raise value
        producer.join()
    finally:
        if producer.is_alive():
            producer.kill()
            producer.join()
        channel.close()
        channel.cancel_join_thread()
