"""A process with a known posture, for the process probe's tests. Sets what its flags ask, prints "ready" on
stdout, then sleeps until killed.

    posture.py [--not-dumpable] [--seccomp-allow-all]

--seccomp-allow-all sets no_new_privs and installs one seccomp filter that allows every call (Seccomp: 2,
Seccomp_filters: 1) through prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog).
"""

import ctypes
import sys
import time

PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
BPF_RET_K = 0x06


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def check(rc, what):
    if rc != 0:
        sys.exit(f"{what} failed: errno {ctypes.get_errno()}")


if "--not-dumpable" in sys.argv:
    check(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE")
if "--seccomp-allow-all" in sys.argv:
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS")
    program = (SockFilter * 1)(SockFilter(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    fprog = SockFprog(1, ctypes.cast(program, ctypes.POINTER(SockFilter)))
    check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0), "PR_SET_SECCOMP")
print("ready", flush=True)
while True:
    time.sleep(60)
