"""RLP (Ethereum's Recursive Length Prefix), enough for the functional tests
to take blocks apart: debug_getRawBlock returns [header, transactions,
uncles], and the tests pull transactions out of it, change header fields or
re-encode.

Values are bytes (a string) or lists of values; encode() also takes
non-negative ints (big-endian, no leading zeros, 0 as the empty string).
decode() is strict, as a node's decoder is: it refuses non-canonical length
prefixes, single bytes below 0x80 wrapped in a string header, and trailing
bytes, so a test that round-trips a node's output also checks its encoding.
Written from the Yellow Paper's appendix B.
"""


class RLPError(ValueError):
    pass


def int_to_bytes(v):
    if v < 0:
        raise RLPError("negative integer")
    return v.to_bytes((v.bit_length() + 7) // 8, "big") if v else b""


def bytes_to_int(b):
    if len(b) > 0 and b[0] == 0:
        raise RLPError("integer with a leading zero byte")
    return int.from_bytes(b, "big")


def _length_prefix(n, short_base):
    if n < 56:
        return bytes([short_base + n])
    ln = int_to_bytes(n)
    return bytes([short_base + 55 + len(ln)]) + ln


def encode(value):
    if isinstance(value, int) and not isinstance(value, bool):
        value = int_to_bytes(value)
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value)
        if len(value) == 1 and value[0] < 0x80:
            return value
        return _length_prefix(len(value), 0x80) + value
    if isinstance(value, (list, tuple)):
        payload = b"".join(encode(v) for v in value)
        return _length_prefix(len(payload), 0xC0) + payload
    raise RLPError("cannot encode %r" % type(value))


def _decode_at(data, pos):
    """Returns (value, next position) of the item at data[pos]."""
    if pos >= len(data):
        raise RLPError("unexpected end of input")
    b0 = data[pos]
    if b0 < 0x80:
        return data[pos:pos + 1], pos + 1
    if b0 < 0xB8:
        n = b0 - 0x80
        start = pos + 1
        if n == 1 and start < len(data) and data[start] < 0x80:
            raise RLPError("single byte below 0x80 with a string header")
        is_list = False
    elif b0 < 0xC0:
        start, n = _long_length(data, pos, b0 - 0xB7)
        is_list = False
    elif b0 < 0xF8:
        n = b0 - 0xC0
        start = pos + 1
        is_list = True
    else:
        start, n = _long_length(data, pos, b0 - 0xF7)
        is_list = True
    end = start + n
    if end > len(data):
        raise RLPError("item of %d bytes runs past the input" % n)
    if not is_list:
        return bytes(data[start:end]), end
    items = []
    p = start
    while p < end:
        v, p = _decode_at(data, p)
        items.append(v)
    if p != end:
        raise RLPError("list payload overruns its length")
    return items, end


def _long_length(data, pos, lenlen):
    start = pos + 1 + lenlen
    if start > len(data):
        raise RLPError("truncated length")
    raw = data[pos + 1:start]
    if raw[0] == 0:
        raise RLPError("length with a leading zero")
    n = int.from_bytes(raw, "big")
    if n < 56:
        raise RLPError("long form used for a short length")
    return start, n


def decode(data):
    """Decodes exactly one item filling all of `data` (bytes)."""
    data = bytes(data)
    value, end = _decode_at(data, 0)
    if end != len(data):
        raise RLPError("%d trailing bytes" % (len(data) - end))
    return value


def _self_test():
    assert encode(b"dog") == b"\x83dog"
    assert encode([b"cat", b"dog"]) == b"\xc8\x83cat\x83dog"
    assert encode(0) == b"\x80" and encode(15) == b"\x0f" and encode(1024) == b"\x82\x04\x00"
    assert encode([[], [[]], [[], [[]]]]) == bytes.fromhex("c7c0c1c0c3c0c1c0")
    long = b"a" * 60
    assert decode(encode(long)) == long and encode(long)[:2] == b"\xb8\x3c"
    for bad in (b"\x81\x05", b"\xb8\x05hello", b"\x83do", b"\x80\x80"):
        try:
            decode(bad)
        except RLPError:
            continue
        raise AssertionError("decoded %r" % bad)


_self_test()
