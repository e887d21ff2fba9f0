"""Confine a process (and its children) with Linux Landlock: what it may read, write, and no TCP.

Landlock (Linux 5.13+) lets an unprivileged process give up rights for good;
the kernel enforces them for every later access, from Python, C extensions,
ctypes or subprocesses alike, and a sandboxed process can no longer ptrace
(or read the memory of) processes outside its sandbox.

Landlock rules *allow*; anything not allowed is denied. ``restrict`` allows
reading beneath a list of folders (the Python installation, system
libraries, the submission's temporary folder) and nothing else. A folder to
keep hidden *inside* a readable one is left out by allowing every entry along
the way to it except the folder itself: to hide ``/opt/venv/course`` inside
``/opt/venv``, every entry of ``/opt/venv`` but ``course`` is allowed.
Writing is allowed only beneath the writable folders. From ABI 4 on, binding
and connecting TCP sockets is denied too.
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
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4


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


def inside(path, folder):
    """True when ``path`` is ``folder`` or beneath it (both absolute, resolved)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def restrict(readable, writable, denied=()):
    """Allow reading beneath ``readable`` except ``denied``, writing beneath ``writable``; no TCP.

    Returns the Landlock ABI version enforced (1 or more), or 0 when the kernel
    has no Landlock. Raises OSError if Landlock is present but refused the rules.
    """
    abi = abi_version()
    if abi < 1:
        return 0
    libc = _libc()
    handled = EXECUTE | WRITE_FILE | READ_FILE | READ_DIR | REMOVE_DIR | REMOVE_FILE | MAKE_ALL
    if abi >= 3:
        handled |= TRUNCATE
    net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0  # handled with no rule: denied
    # ABI 6+: also no signals to, and no abstract sockets with, processes outside the sandbox
    scoped = 0x3 if abi >= 6 else 0
    attr = (ctypes.c_uint64 * 3)(handled, net, scoped)
    size = 24 if scoped else 16 if net else 8
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    denied = [os.path.realpath(d) for d in denied]
    read = EXECUTE | READ_FILE | READ_DIR

    def add(path, rights):
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        try:
            if not os.path.isdir(path):
                rights &= FILE_RIGHTS
            rule = _PathBeneath(rights & handled, fd)
            if (
                libc.syscall(
                    _ADD_RULE,
                    ctypes.c_int(ruleset),
                    ctypes.c_int(_RULE_PATH_BENEATH),
                    ctypes.byref(rule),
                    ctypes.c_uint32(0),
                )
                < 0
            ):
                raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
        finally:
            os.close(fd)

    def allow_read(path):
        real = os.path.realpath(path)
        if any(inside(real, d) for d in denied):
            return  # a denied folder itself, or a link into one
        if not any(inside(d, real) for d in denied):
            add(real, read)
            return
        try:  # a denied folder lies beneath: allow its siblings, all the way down
            entries = sorted(os.listdir(real))
        except OSError:
            return
        for entry in entries:
            child = os.path.join(real, entry)
            if os.path.islink(child) and any(inside(d, os.path.realpath(child)) for d in denied):
                continue  # a link to an ancestor of a denied folder: left out
            allow_read(child)

    try:
        for folder in readable:
            allow_read(folder)
        for folder in writable:
            add(os.path.realpath(folder), handled)
        add(os.devnull, READ_FILE | WRITE_FILE | TRUNCATE)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return abi
