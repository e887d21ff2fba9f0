"""Deny a process (and its children) access to chosen folders, with Linux Landlock.

Landlock (Linux 5.13+) lets an unprivileged process give up file-system
rights for good; the kernel enforces them for every later file access, from
Python, C extensions, ctypes or subprocesses alike, and a sandboxed process
can no longer ptrace (or read the memory of) processes outside its sandbox.

Landlock rules *allow*; anything not allowed is denied. To hide a folder we
allow reading every entry along the way to it except the folder itself:
for ``/work/main/course/instructor/hidden`` that is every entry of ``/``
except ``/work``, every entry of ``/work`` except ``main``, and so on.
Writing is allowed only beneath the given writable folders.
"""

import ctypes
import os
import platform

# syscall numbers are the same on every architecture that has Landlock
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE = 1 << 4, 1 << 5
MAKE_ALL = sum(1 << i for i in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
TRUNCATE = 1 << 14  # ABI 3
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def abi_version():
    """The Landlock ABI version of the running kernel, or 0 when it is not available."""
    if platform.system() != "Linux":
        return 0
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def restrict(denied, writable):
    """Deny reading and writing beneath ``denied``; allow writing only beneath ``writable``.

    Returns True when the kernel enforces it, False when Landlock is missing.
    Raises OSError if Landlock is present but refused the rules.
    """
    abi = abi_version()
    if abi < 1:
        return False
    libc = _libc()
    handled = EXECUTE | WRITE_FILE | READ_FILE | READ_DIR | REMOVE_DIR | REMOVE_FILE | MAKE_ALL
    if abi >= 3:
        handled |= TRUNCATE
    read = EXECUTE | READ_FILE | READ_DIR
    # ABI 6+: also no signals to, and no abstract sockets with, processes outside the sandbox
    scoped = 0x3 if abi >= 6 else 0
    attr = (ctypes.c_uint64 * 3)(handled, 0, scoped)
    size = 24 if scoped else 8
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    denied = [os.path.realpath(d) for d in denied]

    def add(path, rights):
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        try:
            if not os.path.isdir(path):
                rights &= FILE_RIGHTS
            rule = _PathBeneath(rights & handled, fd)
            if libc.syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                            ctypes.byref(rule), ctypes.c_uint32(0)) < 0:
                raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
        finally:
            os.close(fd)

    def allow_read_except(folder):
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            return
        for entry in entries:
            path = os.path.join(folder, entry)
            real = os.path.realpath(path)
            if any(_inside(real, d) for d in denied):
                continue  # the denied folder itself, or a link into it
            if any(_inside(d, real) for d in denied):
                if real == path:
                    allow_read_except(path)  # on the way to a denied folder
                continue  # a link to an ancestor of a denied folder: left out
            add(path, read)

    try:
        allow_read_except("/")
        for folder in writable:
            add(folder, handled)
        add(os.devnull, READ_FILE | WRITE_FILE | TRUNCATE)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return True
