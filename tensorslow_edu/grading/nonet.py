"""No network for a process (and its children): a seccomp filter that refuses ``socket()``.

Every network connection starts with the ``socket`` system call. The filter,
a few instructions of classic BPF loaded with ``prctl(PR_SET_SECCOMP)``,
makes it fail with EACCES for every address family, and refuses
``io_uring_setup`` (io_uring can open sockets without that system call).
Pipes and ``socketpair`` (an unnamed pair, no address) still work. Once
loaded, a filter cannot be removed, and it is inherited across fork and exec.
"""

import ctypes
import errno
import platform

_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
# (audit architecture, socket, io_uring_setup) per machine
_ARCH = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
_X32_BIT = 0x40000000  # x86_64's x32 system calls share its audit architecture


class _Filter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_Filter))]


def supported():
    return platform.system() == "Linux" and platform.machine() in _ARCH


def deny_sockets():
    """Load the filter; True when loaded, False on a machine it does not know. OSError if refused."""
    if not supported():
        return False
    arch, socket_nr, io_uring_nr = _ARCH[platform.machine()]
    deny = _RET_ERRNO | errno.EACCES
    program = [
        (_LD_W_ABS, 0, 0, 4),  # A = architecture
        (_JEQ_K, 1, 0, arch),  # native: go on; anything else (e.g. 32-bit calls): deny
        (_RET_K, 0, 0, deny),
        (_LD_W_ABS, 0, 0, 0),  # A = system call number
        (_JGE_K, 3, 0, _X32_BIT),  # x32 numbering: deny
        (_JEQ_K, 2, 0, socket_nr),  # socket(): deny
        (_JEQ_K, 1, 0, io_uring_nr),  # io_uring_setup(): deny
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, deny),
    ]
    filters = (_Filter * len(program))(*[_Filter(*row) for row in program])
    prog = _Program(len(program), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
    return True
