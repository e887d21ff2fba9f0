"""What runs inside a submission's process.

This module is imported once by the warm "fork server" (with NumPy, the
library and matplotlib), and every submission runs in a process forked from
it: isolated, yet with nothing left to import. The fork server is a fresh
interpreter started by the grader, so nothing of the grader's memory (hidden
tests, right answers, other submissions' scores) is in it.

``main`` locks the process down (session, resource limits, temporary working
directory, what it may read, no network), runs the notebook's cells one by
one, calls the learner's objects on the cases' inputs (with the library's
own versions of those objects unavailable, see ``forbid.py``), and writes one
JSON line per event to the pipe. It never decides whether anything passed.
"""

import builtins
import importlib
import io
import json
import os
import resource
import signal
import site
import sys
import sysconfig
import types

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy  # noqa: E402,F401  (warm import for every submission)

import tensorslow_edu  # noqa: E402,F401
from tensorslow_edu.exercises.core import decode, get_exercise, run_case, use_course  # noqa: E402
from tensorslow_edu.exercises.course import SHIPPED  # noqa: E402

try:  # a warm pyplot too: notebooks plot
    import matplotlib  # noqa: E402

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: E402,F401
except ImportError:  # matplotlib is optional
    pass

from . import forbid, landlock, nonet  # noqa: E402

# the module, not the function of the same name that tensorslow_edu.exercises exports
_check_module = importlib.import_module("tensorslow_edu.exercises.check")

# what a submission may read besides its temporary folder: the system's libraries and
# configuration, the Python installation with its packages (this library included)
SYSTEM_READABLE = (
    "/usr",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/bin",
    "/sbin",
    "/etc",
    "/proc",
    "/sys",
    "/dev/zero",
    "/dev/urandom",
    "/dev/random",
    "/dev/full",
)


def readable_folders():
    folders = set(SYSTEM_READABLE)
    folders.update({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix})
    paths = sysconfig.get_paths()
    folders.update(paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths)
    folders.update(site.getsitepackages() if hasattr(site, "getsitepackages") else [])
    folders.add(os.path.dirname(os.path.abspath(tensorslow_edu.__file__)))
    return sorted(f for f in folders if f and os.path.exists(f))


class SoftTimeout(BaseException):
    """Raised inside the submission when a cell or a test runs too long."""


class _BoundedText(io.TextIOBase):
    """A stdout/stderr that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, store, limit):
        self.store, self.limit = store, limit

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.limit - self.store["kept"]
        if room > 0:
            self.store["parts"].append(text[:room])
            self.store["kept"] += min(len(text), room)
        self.store["dropped"] += max(len(text) - max(room, 0), 0)
        return len(text)

    def flush(self):
        pass


class _Shell:
    """Stands in for IPython: magics and shell commands (``%matplotlib``, ``!pip``) do nothing."""

    def run_line_magic(self, *args, **kwargs):
        return None

    def run_cell_magic(self, *args, **kwargs):
        return None

    def system(self, *args, **kwargs):
        return None

    def getoutput(self, *args, **kwargs):
        return []

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _alarm(seconds):
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _on_alarm(signum, frame):
    raise SoftTimeout()


def _lock_down(job, write_line):
    os.setsid()  # own process group: the grader kills it whole
    limits = job["limits"]
    for rlimit, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, limits["file_bytes"])):
        resource.setrlimit(rlimit, (value, value))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too large file gives an error, not a kill
    with open("/proc/self/statm") as f:  # address space already used by the warm imports
        used = int(f.read().split()[0]) * resource.getpagesize()
    cap = used + limits["memory_mb"] * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    os.chdir(job["workdir"])
    readable = readable_folders() + [job["workdir"]]
    enforced = 0
    try:
        enforced = landlock.restrict(readable, [job["workdir"]], job["deny"])
    except OSError as exc:
        write_line({"note": f"landlock refused: {exc}"})
    network_closed = False
    try:
        network_closed = nonet.deny_sockets()
    except OSError as exc:
        write_line({"note": f"seccomp refused: {exc}"})
    _audit_guard(readable, job["deny"], check_paths=not enforced)
    write_line({"landlock": enforced > 0, "landlock_abi": enforced, "seccomp": network_closed})
    # C-level output (os.write(1, ...), extension modules) goes nowhere
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


NETWORK_EVENTS = (
    "socket.__new__",
    "socket.connect",
    "socket.bind",
    "socket.sendto",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
)


def _audit_guard(readable, denied, check_paths):
    """A Python audit hook: a clear message for the network; without Landlock, the folders too.

    Without Landlock this is a speed bump, not a wall (ctypes tricks could pass
    it): it refuses opening anything outside the readable folders or beneath
    the denied ones, and starting subprocesses.
    """
    readable = [os.path.realpath(d) for d in readable]
    denied = [os.path.realpath(d) for d in denied]

    def hook(event, args):
        if event in NETWORK_EVENTS:
            raise PermissionError("the network is not available while a notebook is graded")
        if not check_paths:
            return
        if event in ("open", "os.listdir", "os.scandir", "shutil.copyfile", "os.chdir") and args:
            path = args[0]
            if isinstance(path, (str, bytes, os.PathLike)):
                real = os.path.realpath(os.fsdecode(path))
                if any(landlock.inside(real, d) for d in denied) or not any(
                    landlock.inside(real, r) for r in readable
                ):
                    raise PermissionError(f"the grader denies access to {path!r}")
        elif event in (
            "subprocess.Popen",
            "os.system",
            "os.exec",
            "os.posix_spawn",
            "os.spawn",
            "ctypes.dlopen",
        ):
            raise PermissionError(f"{event} is not allowed while grading")

    sys.addaudithook(hook)


def _cell_line(exc, filename):
    """' (line N)': where in the cell the error was raised (its last line within the cell)."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" (line {line})" if line else ""


def main(job, connection):
    """Run one submission; write JSON lines to ``connection``. Never returns."""
    fd = os.dup(connection.fileno())
    connection.close()
    # inherited descriptors (the fork server's own pipes) are none of the submission's business
    os.closerange(3, fd)
    os.closerange(fd + 1, 65536)

    def write_line(obj):
        data = (json.dumps(obj, allow_nan=True) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]

    try:
        use_course(job.get("course") or SHIPPED)  # its exercise files are read before the lock-down
        from tensorslow_edu.exercises.core import all_exercises

        all_exercises()
        _lock_down(job, write_line)
        store = {"parts": [], "kept": 0, "dropped": 0}
        sys.stdout = sys.__stdout__ = _BoundedText(store, job["limits"]["output_chars"])
        sys.stderr = sys.__stderr__ = _BoundedText(store, job["limits"]["output_chars"])
        sys.stdin = io.StringIO("")
        _check_module.GRADING = True  # check() cells do nothing: only the grader's run counts
        forbid.install(job["forbids"])
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.signal(signal.SIGINT, signal.SIG_IGN)

        module = types.ModuleType("__main__")
        module.__dict__.update({"__builtins__": builtins, "get_ipython": lambda: _Shell()})
        sys.modules["__main__"] = module
        namespace = module.__dict__
        limits = job["limits"]

        for index, source in job["cells"]:
            error = None
            try:
                code = compile(source, f"<cell {index}>", "exec")
            except SyntaxError as exc:  # the line, and the text the learner wrote there
                text = (exc.text or "").strip()
                error = f"SyntaxError: {exc.msg} (line {exc.lineno}{': ' + text if text else ''})"[:500]
                write_line({"cell": index, "error": error})
                continue
            try:
                _alarm(limits["cell_timeout"])
                try:
                    exec(code, namespace)
                finally:
                    _alarm(0)
            except SoftTimeout:
                error = f"the cell ran longer than {limits['cell_timeout']:g} s and was stopped"
            except MemoryError:
                error = f"MemoryError: the cell used more than {limits['memory_mb']} MB"
            except BaseException as exc:  # SystemExit, KeyboardInterrupt, anything
                error = f"{type(exc).__name__}: {exc}"[:480] + _cell_line(exc, code.co_filename)
            if error is not None:
                write_line({"cell": index, "error": error})

        timed_out = set()  # exercises with a case stopped: their other cases are not run
        for case in job["cases"]:
            if case["exercise"] in timed_out:
                write_line(
                    {
                        "case": case["key"],
                        "result": {
                            "status": "timeout",
                            "message": "not run: an earlier test of this exercise was "
                            "stopped (an endless loop?)",
                        },
                    }
                )
                continue
            try:
                exercise = get_exercise(case["exercise"])
                inputs = decode(case["inputs"])
                _alarm(limits["case_timeout"])
                try:
                    with forbid.forbidding(exercise):
                        result = run_case(exercise, namespace, inputs)
                finally:
                    _alarm(0)
            except SoftTimeout:
                timed_out.add(case["exercise"])
                result = {
                    "status": "timeout",
                    "message": f"stopped after {limits['case_timeout']:g} s (an endless loop?)",
                }
            except MemoryError:
                result = {"status": "error", "message": f"MemoryError: more than {limits['memory_mb']} MB"}
            except BaseException as exc:
                result = {"status": "error", "message": f"{type(exc).__name__}: {exc}"[:500]}
            write_line({"case": case["key"], "result": result})

        text = "".join(store["parts"])
        if store["dropped"]:
            text += f"\n... ({store['dropped']} more characters of output not kept)"
        write_line({"output": text})
        write_line({"done": True})
    except BaseException as exc:  # the protocol itself failed; the grader reports it
        try:
            write_line({"fatal": f"{type(exc).__name__}: {exc}"[:500]})
        except BaseException:
            pass
    os._exit(0)
