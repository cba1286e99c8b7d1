"""Small helpers shared by the functional tests: assertions, polling, ports."""

import os
import socket
import time


class AssertionFailure(Exception):
    """A check in a test failed."""


def assert_equal(got, want, what=""):
    if got != want:
        raise AssertionFailure("%s%r != %r" % (what + ": " if what else "", got, want))


def assert_in(needle, haystack, what=""):
    if needle not in haystack:
        raise AssertionFailure("%s%r not found in %r" % (what + ": " if what else "", needle,
                                                          haystack[-2000:]))


def assert_not_in(needle, haystack, what=""):
    if needle in haystack:
        raise AssertionFailure("%s%r unexpectedly found" % (what + ": " if what else "", needle))


def assert_true(cond, what):
    if not cond:
        raise AssertionFailure(what)


def wait_until(predicate, timeout=30.0, what="condition", interval=0.05):
    """Polls predicate() until it is true; raises AssertionFailure on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    if predicate():
        return
    raise AssertionFailure("timed out after %.1f s waiting for %s" % (timeout, what))


# Test ports come from below the kernel's ephemeral range, in a block of their
# own for each test process. A port the kernel hands out for bind(0) is also
# what it hands out as the source port of outgoing connections, so between
# free_port() and the node's bind, any client socket (RPC calls, p2p dials)
# could take it; and tests run in parallel would draw from the same pool.
PORT_MIN = 11000
PORT_BLOCK = 64
_next_port = [None, 0]


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port():
    """Returns a loopback TCP port that was free a moment ago: from this
    process's block below the ephemeral range (see above), or, when there is
    no room below it, one the kernel picks."""
    blocks = (_ephemeral_low() - PORT_MIN) // PORT_BLOCK
    if blocks > 0:
        if _next_port[0] is None:
            _next_port[0] = PORT_MIN + (os.getpid() % blocks) * PORT_BLOCK
        for _ in range(PORT_BLOCK):
            port = _next_port[0] + _next_port[1]
            _next_port[1] = (_next_port[1] + 1) % PORT_BLOCK
            if _bindable(port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pid_alive(pid):
    """True when a process with this pid exists (and is not a zombie)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def assert_greater_than(a, b, what=""):
    if not a > b:
        raise AssertionFailure("%s%r is not greater than %r" % (what + ": " if what else "", a, b))


def assert_raises_rpc_error(code, message, fn, *args, **kwargs):
    """Calls fn(*args, **kwargs), which must raise a JSON-RPC error with `code`
    (None: any) whose message contains `message` (a string, a tuple of
    alternatives, or None: any). Returns the exception."""
    from .test_node import JSONRPCException
    try:
        result = fn(*args, **kwargs)
    except JSONRPCException as e:
        if code is not None and e.code != code:
            raise AssertionFailure("expected error code %r, got %r (%r)" % (code, e.code,
                                                                         e.message))
        alts = (message,) if isinstance(message, str) else message
        if alts is not None and not any(m in (e.message or "") for m in alts):
            raise AssertionFailure("expected an error message containing %r, got %r"
                                   % (message, e.message))
        return e
    raise AssertionFailure("no error; the call returned %r" % (result,))
