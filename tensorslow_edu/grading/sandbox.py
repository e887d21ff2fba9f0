"""Run a submission in its own process and collect what it sends back, as data.

The process is forked from a warm fork server (``multiprocessing``'s
"forkserver" start method with ``tensorslow_edu.grading.child`` preloaded):
starting one costs milliseconds, not the seconds of a Jupyter kernel. The
grader enforces a wall-clock limit by killing the process group, bounds what
it reads from the pipe, and parses JSON lines only (never pickle).
"""

import json
import multiprocessing
import multiprocessing.forkserver
import os
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
import types
from dataclasses import asdict, dataclass

__all__ = ["Limits", "RunOutcome", "run_submission"]

_context = None
_start_lock = threading.Lock()


@dataclass
class Limits:
    """Resource limits of one submission.

    ``timeout``: wall-clock seconds for the whole submission (the process is
    killed after it); ``cell_timeout`` and ``case_timeout``: a cell or a test
    running longer is interrupted inside the process, so an endless loop costs
    one exercise rather than the whole notebook; ``memory_mb``: address space
    the submission may add to the warm process.
    """

    timeout: float = 60.0
    cell_timeout: float = None
    case_timeout: float = None
    memory_mb: int = 1024
    output_chars: int = 20_000
    file_bytes: int = 50 * 2**20
    pipe_bytes: int = 32 * 2**20

    def __post_init__(self):
        if self.cell_timeout is None:
            self.cell_timeout = max(1.0, min(10.0, self.timeout / 4))
        if self.case_timeout is None:
            self.case_timeout = max(0.5, min(5.0, self.timeout / 10))


@dataclass
class RunOutcome:
    events: list  # parsed JSON objects, in order
    finished: bool  # the process reported it was done
    timed_out: bool
    overflowed: bool  # sent more than limits.pipe_bytes
    exitcode: int
    seconds: float


def _ctx():
    global _context
    if _context is None:
        # The fork server, and so every submission, starts with no display and one thread each
        # (--jobs parallelizes); the grader's own environment, which kernels or other processes
        # started later by the same program inherit, is put back as it was.
        wanted = {
            "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        saved = {var: os.environ.get(var) for var in wanted}
        for var, value in wanted.items():
            os.environ.setdefault(var, value)
        try:
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(["tensorslow_edu.grading.child"])
            multiprocessing.forkserver.ensure_running()
        finally:
            for var, value in saved.items():
                if value is None:
                    os.environ.pop(var, None)
                else:
                    os.environ[var] = value
    return _context


def _target(job, connection):
    from tensorslow_edu.grading import child

    child.main(job, connection)


def run_submission(cells, cases, limits, deny=(), forbids=(), course=None):
    """Run ``cells`` [(index, python source)] then ``cases`` [{key, exercise, inputs}] in a sandbox.

    ``deny``: folders the submission may not read even where it may read
    around them; ``forbids``: dotted paths of library functions to guard
    (``forbid.py``); ``course``: the folder of the course whose exercises are graded
    (None: the shipped course).
    """
    ctx = _ctx()
    workdir = tempfile.mkdtemp(prefix="tensorslow-grade-")
    job = {
        "cells": cells,
        "cases": cases,
        "limits": asdict(limits),
        "workdir": workdir,
        "deny": [str(d) for d in deny],
        "forbids": list(forbids),
        "course": None if course is None else str(course),
    }
    reader, writer = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_target, args=(job, writer), daemon=True)
    start = time.monotonic()
    try:
        _start(process)
        writer.close()
        data, timed_out, overflowed = _read_all(reader.fileno(), start + limits.timeout, limits.pipe_bytes)
        reader.close()
        process.join(timeout=0 if (timed_out or overflowed) else 2)
        _kill_group(process)
        process.join(timeout=5)
        exitcode = process.exitcode if process.exitcode is not None else -9
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    events = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue  # a partial last line (killed mid-write) or garbage
        if isinstance(obj, dict):
            events.append(obj)
    finished = any(e.get("done") is True for e in events)
    return RunOutcome(events, finished, timed_out, overflowed, exitcode, time.monotonic() - start)


def _start(process):
    # multiprocessing would make the new process re-import the grader's __main__
    # (a script, a test runner): show it a bare __main__ while starting instead.
    with _start_lock:
        real_main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            process.start()
        finally:
            sys.modules["__main__"] = real_main


def _read_all(fd, deadline, cap):
    chunks, size = [], 0
    os.set_blocking(fd, False)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), True, False
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            continue
        if not chunk:  # end of file: the process (and anything it forked) closed the pipe
            return b"".join(chunks), False, False
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            return b"".join(chunks), False, True


def _kill_group(process):
    if process.pid is None:
        return
    for kill in (
        lambda: os.killpg(process.pid, signal.SIGKILL),
        lambda: os.kill(process.pid, signal.SIGKILL),
    ):
        try:
            kill()
        except (ProcessLookupError, PermissionError):
            pass
