"""A small WebSocket client (RFC 6455) for the functional tests, standard
library only: the opening handshake, masked frames, fragmentation, ping/pong
and close, plus a JSON-RPC helper. It is deliberately low level so that tests
can also send what a well-behaved client never would."""

import base64
import hashlib
import json
import os
import socket
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


class HandshakeRefused(Exception):
    def __init__(self, status, head):
        self.status = status
        self.head = head
        super().__init__("handshake refused: HTTP %d" % status)


class WSClosed(Exception):
    """The server closed: .code (None when it closed without a frame)."""

    def __init__(self, code, reason=b""):
        self.code = code
        self.reason = reason
        super().__init__("closed with %r %r" % (code, reason))


class WSClient:
    def __init__(self, port, host="127.0.0.1", headers=None, timeout=30, source=None,
                 key=None, version="13"):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.buf = b""
        self.key = key or base64.b64encode(os.urandom(16)).decode()
        lines = ["GET / HTTP/1.1", "Host: %s:%d" % (host, port), "Upgrade: websocket",
                 "Connection: Upgrade", "Sec-WebSocket-Key: " + self.key,
                 "Sec-WebSocket-Version: " + version]
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = self._read_until(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        self.head = head.decode(errors="replace")
        if status != 101:
            self.sock.close()
            raise HandshakeRefused(status, self.head)
        want = base64.b64encode(hashlib.sha1(self.key.encode() + GUID).digest()).decode()
        if ("sec-websocket-accept: " + want).lower() not in self.head.lower():
            raise AssertionError("bad Sec-WebSocket-Accept in %r" % self.head)
        self._id = 0

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise WSClosed(None)
        self.buf += data

    def _read_until(self, marker):
        while marker not in self.buf:
            self._recv()
        i = self.buf.index(marker) + len(marker)
        head, self.buf = self.buf[:i], self.buf[i:]
        return head

    def _read_exact(self, n):
        while len(self.buf) < n:
            self._recv()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    # ---- frames ----------------------------------------------------------
    def send_frame(self, opcode, payload=b"", fin=True, mask=True, rsv=0, length=None):
        if isinstance(payload, str):
            payload = payload.encode()
        n = len(payload) if length is None else length
        head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
        m = 0x80 if mask else 0
        if n < 126:
            head += bytes([m | n])
        elif n < 65536:
            head += bytes([m | 126]) + struct.pack(">H", n)
        else:
            head += bytes([m | 127]) + struct.pack(">Q", n)
        if mask:
            key = os.urandom(4)
            head += key
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + payload)

    def recv_frame(self):
        """Returns (fin, opcode, payload) of the next frame, unanswered."""
        b0, b1 = self._read_exact(2)
        if b1 & 0x80:
            raise AssertionError("server frames must not be masked")
        n = b1 & 0x7f
        if n == 126:
            n = struct.unpack(">H", self._read_exact(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read_exact(8))[0]
        return bool(b0 & 0x80), b0 & 0x0f, self._read_exact(n)

    def recv_message(self):
        """The next text/binary message; answers pings, raises WSClosed on a close."""
        parts = []
        while True:
            fin, op, data = self.recv_frame()
            if op == OP_PING:
                self.send_frame(OP_PONG, data)
                continue
            if op == OP_PONG:
                continue
            if op == OP_CLOSE:
                code = struct.unpack(">H", data[:2])[0] if len(data) >= 2 else None
                raise WSClosed(code, data[2:])
            parts.append(data)
            if fin:
                return b"".join(parts)

    def expect_close(self):
        """Reads until the server's close frame; returns its code."""
        try:
            while True:
                self.recv_message()
        except WSClosed as e:
            return e.code

    # ---- JSON-RPC --------------------------------------------------------
    def send_json(self, value):
        self.send_frame(OP_TEXT, json.dumps(value))

    def recv_json(self):
        return json.loads(self.recv_message())

    def call(self, method, *params):
        """Sends a request and returns its reply object (the whole envelope),
        skipping notifications that arrive before it."""
        self._id += 1
        self.send_json({"jsonrpc": "2.0", "id": self._id, "method": method,
                        "params": list(params)})
        while True:
            msg = self.recv_json()
            if isinstance(msg, dict) and msg.get("id") == self._id:
                return msg

    def close(self, code=1000):
        try:
            self.send_frame(OP_CLOSE, struct.pack(">H", code))
        except OSError:
            pass
        self.sock.close()
