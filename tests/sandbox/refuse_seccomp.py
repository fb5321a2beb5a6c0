"""Runs a command in a process tree where installing seccomp filters fails,
as on a kernel or container that refuses them:

    python tests/sandbox/refuse_seccomp.py PROGRAM [ARG]...

It installs one tiny seccomp filter of its own (through prctl, which the
filter leaves alone) that answers EINVAL to the `seccomp` syscall, then
execs PROGRAM. Every descendant inherits the filter, so a sandbox worker's
lockdown sees exactly what an unsupported kernel reports.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys

SECCOMP_SYSCALL = {"x86_64": 317, "aarch64": 277}
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, EINVAL = 0x7FFF0000, 0x00050000, 22
BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06


def instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def refuse_seccomp() -> None:
    machine = platform.machine()
    program = b"".join(
        [
            instruction(BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
            instruction(BPF_JEQ_K, 0, 3, AUDIT_ARCH[machine]),
            instruction(BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
            instruction(BPF_JEQ_K, 0, 1, SECCOMP_SYSCALL[machine]),
            instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EINVAL),
            instruction(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        ]
    )
    filters = ctypes.create_string_buffer(program, len(program))
    # struct sock_fprog { unsigned short len; struct sock_filter *filter; }
    fprog = struct.pack("=HxxxxxxQ", len(program) // 8, ctypes.addressof(filters))
    fprog_buffer = ctypes.create_string_buffer(fprog, len(fprog))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog_buffer), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


if __name__ == "__main__":
    refuse_seccomp()
    os.execv(sys.argv[1], sys.argv[1:])
