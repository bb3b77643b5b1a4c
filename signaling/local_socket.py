"""A participant inside this process (the phone bridge) speaks the call protocol through a
`LocalSocket` instead of a WebSocket: the service reads its frames and writes frames to it with
the very code that serves call pages, so joins, relaying, flood limits and records are the same.

The two ends: the service uses `receive`, `send_str` and `close` (the `rooms.Socket` shape); the
participant calls `send` to put a frame in, gets the service's frames (decoded) through the
`deliver` callback, and learns that the service closed it through `on_close`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiohttp import WSMessage, WSMsgType

from signaling.protocol import Close, encode

_CLOSED = WSMessage(WSMsgType.CLOSED, None, None)


class LocalSocket:
    """Both ends of an in-process participant's connection to the call service."""

    def __init__(
        self,
        deliver: Callable[[dict[str, Any]], None],
        on_close: Callable[[int, str], None],
    ) -> None:
        self._deliver = deliver
        self._on_close = on_close
        self._inbox: asyncio.Queue[WSMessage] = asyncio.Queue()
        self._closed = False
        self._close_code: int | None = None

    # The participant's end.

    def send(self, kind: str, **fields: Any) -> None:
        """A frame from the participant to the service (dropped once the connection is closed)."""
        if not self._closed:
            self._inbox.put_nowait(WSMessage(WSMsgType.TEXT, encode(kind, **fields), None))

    # The service's end.

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def close_code(self) -> int | None:
        return self._close_code

    async def send_str(self, data: str) -> None:
        """A frame from the service to the participant."""
        if not self._closed:
            self._deliver(json.loads(data))

    async def receive(self) -> WSMessage:
        """The participant's next frame; CLOSED once either end has closed."""
        if self._closed and self._inbox.empty():
            return _CLOSED
        return await self._inbox.get()

    async def close(self, *, code: int = Close.NORMAL, message: bytes = b"") -> bool:
        """Close the connection (either end may); the participant hears of it through `on_close`."""
        if self._closed:
            return False
        self._closed = True
        self._close_code = code
        self._inbox.put_nowait(_CLOSED)
        self._on_close(code, message.decode(errors="replace"))
        return True
