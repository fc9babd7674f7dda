"""A minimal RFC 6455 client for the tests (masked frames, ping, close), so no client library is needed."""

from __future__ import annotations

import base64
import secrets
import socket
import struct
from dataclasses import dataclass, field
from urllib.parse import urlsplit

OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


class HandshakeRefused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"the upgrade was answered {status}")
        self.status = status


@dataclass
class WebSocketClient:
    sock: socket.socket
    _buffer: bytes = field(default=b"")

    def _read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed by the server")
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def send(self, opcode: int, payload: bytes) -> None:
        mask = secrets.token_bytes(4)
        length = len(payload)
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length) if length < 126 else \
            struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        self.sock.sendall(head + mask + bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload)))

    def send_text(self, text: str) -> None:
        self.send(OP_TEXT, text.encode())

    def receive(self, timeout: float = 5.0) -> tuple[int, bytes]:
        """The next frame from the server: (opcode, payload)."""
        self.sock.settimeout(timeout)
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        return first & 0x0F, self._read(length)

    def close(self, code: int = 1000) -> tuple[int, bytes]:
        """Sends a close frame and answers the server's."""
        self.send(OP_CLOSE, struct.pack("!H", code))
        try:
            return self.receive()
        finally:
            self.sock.close()


def connect(url: str, query: str = "", timeout: float = 5.0) -> WebSocketClient:
    """Opens ws://host:port/path?query; HandshakeRefused with the status when the server does not upgrade."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
    key = base64.b64encode(secrets.token_bytes(16)).decode()
    target = parts.path + (f"?{query}" if query else "")
    sock.sendall((f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: crm-tests\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        if not chunk:
            break
        response += chunk
    head, _, rest = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status != 101:
        sock.close()
        raise HandshakeRefused(status)
    return WebSocketClient(sock, rest)
