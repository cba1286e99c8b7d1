"""Small helpers shared by the functional tests: assertions, polling, ports."""

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


def free_port():
    """Returns a loopback TCP port that was free a moment ago."""
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
