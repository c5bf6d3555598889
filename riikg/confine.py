"""Cut a forked query worker off from the network, with two independent kernel mechanisms.

A public SPARQL query runs in a forked worker (:mod:`endpoint.sparql.pool`). pyoxigraph
evaluates ``SERVICE <url>`` by making an HTTP request, so a query that gets past the query
text checks could make the server contact any host it can reach (internal services, cloud
metadata addresses, the loopback interface). Right after the fork, before it opens the store
or reads a query, the worker calls :func:`confine`:

1. **a new, empty network namespace** (``unshare(CLONE_NEWNET)``; as a non-root user
   ``CLONE_NEWUSER | CLONE_NEWNET``, which needs unprivileged user namespaces). The worker then
   has no network interface but a loopback that is down: every ``connect()`` to an IP
   address fails, loopback included, and abstract Unix sockets of the host are out of reach;
2. **a seccomp filter** (``PR_SET_NO_NEW_PRIVS`` + ``PR_SET_SECCOMP``) under which
   ``socket()`` fails with ``EPERM`` for every address family except ``AF_UNIX``, and
   ``io_uring_setup`` fails too (io_uring can create sockets without the ``socket`` call).
   System calls of another ABI (32-bit, x32) fail as well.

Either layer alone stops IP networking; the worker counts as confined when at least one
took effect. The worker keeps the ``AF_UNIX`` socketpair to its parent, opened before.
:func:`probe` forks a throw-away child, confines it and checks that a connection to a
loopback listener of the parent really fails; ``riikg serve`` runs it before binding.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import select
import socket
import struct
from dataclasses import asdict, dataclass

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000

# classic BPF opcodes
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06

#: offsets in ``struct seccomp_data``: nr, arch, args[0] (low 32 bits on little-endian)
_NR, _ARCH, _ARG0 = 0, 4, 16


@dataclass(frozen=True)
class _Abi:
    audit_arch: int
    socket_nr: int
    io_uring_setup_nr: int
    #: system call numbers at or above this are another ABI of the same arch (x32)
    foreign_from: int | None


_ABIS = {
    "x86_64": _Abi(0xC000003E, 41, 425, 0x40000000),
    "aarch64": _Abi(0xC00000B7, 198, 425, None),
}


@dataclass(frozen=True)
class Confinement:
    """Which layers took effect in a worker, and why the others did not."""

    netns: bool
    seccomp: bool
    detail: str = ""

    @property
    def confined(self) -> bool:
        """True when the worker cannot open a network connection."""
        return self.netns or self.seccomp

    def describe(self) -> str:
        layers = [
            name
            for name, on in (("network namespace", self.netns), ("seccomp", self.seccomp))
            if on
        ]
        text = " + ".join(layers) if layers else "none"
        return f"{text}{'; ' + self.detail if self.detail else ''}"

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Confinement:
        doc = json.loads(raw)
        return cls(bool(doc["netns"]), bool(doc["seccomp"]), str(doc.get("detail", "")))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _new_netns(libc: ctypes.CDLL) -> str:
    """Enter an empty network namespace; return "" on success, else the reason."""
    if libc.unshare(CLONE_NEWNET) == 0:
        return ""
    first = ctypes.get_errno()
    if first not in (errno.EPERM, errno.EINVAL):
        return f"unshare(CLONE_NEWNET): {os.strerror(first)}"
    # not privileged: a user namespace of our own grants the right (single-threaded process)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        return ""
    second = ctypes.get_errno()
    return (
        f"unshare(CLONE_NEWNET): {os.strerror(first)}; with CLONE_NEWUSER: "
        f"{os.strerror(second)} (run as root or allow unprivileged user namespaces)"
    )


def _filter(abi: _Abi) -> bytes:
    """The BPF program: socket() only for AF_UNIX, no io_uring, no foreign ABI."""
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    # (code, jump-if-true label, jump-if-false label, k); labels are instruction indexes
    prog: list[tuple[int, str | int, str | int, int]] = [
        (_LD_W_ABS, 0, 0, _ARCH),
        (_JEQ_K, 0, "deny", abi.audit_arch),
        (_LD_W_ABS, 0, 0, _NR),
    ]
    if abi.foreign_from is not None:
        prog.append((_JGE_K, "deny", 0, abi.foreign_from))
    prog += [
        (_JEQ_K, 0, "not_socket", abi.socket_nr),
        (_LD_W_ABS, 0, 0, _ARG0),
        (_JEQ_K, "allow", "deny", socket.AF_UNIX),
    ]
    labels = {"not_socket": len(prog)}
    prog.append((_JEQ_K, "deny", "allow", abi.io_uring_setup_nr))
    labels["allow"] = len(prog)
    prog.append((_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    labels["deny"] = len(prog)
    prog.append((_RET_K, 0, 0, deny))

    def offset(pc: int, target: str | int) -> int:
        return target if isinstance(target, int) else labels[target] - pc - 1

    return b"".join(
        struct.pack("=HBBI", code, offset(pc, jt), offset(pc, jf), k)
        for pc, (code, jt, jf, k) in enumerate(prog)
    )


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _seccomp(libc: ctypes.CDLL) -> str:
    """Install the socket filter; return "" on success, else the reason."""
    abi = _ABIS.get(platform.machine())
    if abi is None:
        return f"seccomp: no filter for architecture {platform.machine()}"
    code = _filter(abi)
    buf = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    zero = ctypes.c_ulong(0)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), zero, zero, zero) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}"
    if (
        libc.prctl(
            PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(prog), zero, zero
        )
        != 0
    ):
        return f"seccomp filter: {os.strerror(ctypes.get_errno())}"
    return ""


def confine() -> Confinement:
    """Cut this process off from the network (call in a freshly forked, single-threaded child)."""
    try:
        libc = _libc()
    except OSError as exc:  # pragma: no cover - no C library to call
        return Confinement(False, False, f"cannot load the C library: {exc}")
    why_netns = _new_netns(libc)
    why_seccomp = _seccomp(libc)
    detail = "; ".join(why for why in (why_netns, why_seccomp) if why)
    return Confinement(not why_netns, not why_seccomp, detail)


def connect_blocked(port: int, timeout: float = 2.0) -> str:
    """Try to reach ``127.0.0.1:port``; return how it failed, or "" if it connected."""
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except OSError as exc:
        return f"socket(AF_INET): {exc.strerror or exc}"
    try:
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", port))
    except OSError as exc:
        return f"connect: {exc.strerror or exc}"
    finally:
        sock.close()
    return ""


def probe(timeout: float = 10.0) -> Confinement:
    """Fork a child, confine it, check it cannot reach a loopback listener; report.

    The answer is what a query worker forked from this process would get.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    read_fd, write_fd = os.pipe()
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = 0
            try:
                os.close(read_fd)
                listener.close()
                state = confine()  # looked up at call time: tests may replace it
                if state.confined and not connect_blocked(port):
                    state = Confinement(
                        False, False, f"{state.describe()}, yet a loopback connection succeeded"
                    )
                os.write(write_fd, state.to_json())
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write_fd)
        write_fd = -1
        raw = b""
        ready, _, _ = select.select([read_fd], [], [], timeout)
        if ready:
            while chunk := os.read(read_fd, 65536):
                raw += chunk
        else:
            os.kill(pid, 9)
        os.waitpid(pid, 0)
        if not raw:
            return Confinement(False, False, "the confinement probe gave no answer")
        return Confinement.from_json(raw)
    finally:
        listener.close()
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)
