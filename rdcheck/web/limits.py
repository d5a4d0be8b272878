"""The upload cap, as ASGI middleware: a request body over the limit is answered 413 before it is read whole.

A declared Content-Length over the cap is refused from the headers alone. A body without one (chunked) is
counted as it streams and cut off the moment it passes the cap (the route answers 413, see `over_limit`). Either way nothing over the cap is kept: the
parts already received are dropped. So that an ordinary client (which sends its whole body before it reads the
answer) sees the 413 instead of a reset connection, the rest of the body is read and thrown away, up to
DRAIN_LIMIT; a client that asked `Expect: 100-continue` is answered at once and never sends the body.
"""

from __future__ import annotations

import json
from typing import Any

DRAIN_LIMIT = 64 * 1024 * 1024  # beyond this a client's body is not even drained: the connection is closed


OVER_LIMIT = "rdcheck.over_limit"


class UploadLimit:
    def __init__(self, app: Any, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = max_bytes
        self.larger = larger or {}  # path -> its own cap (the bureau's zip of a round)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger.get(scope.get("path", ""), self.default)
        headers = dict(scope.get("headers") or [])
        declared = _int(headers.get(b"content-length"))
        if declared is not None and declared > max_bytes:
            expect = headers.get(b"expect", b"").lower() == b"100-continue"
            if not expect and declared <= DRAIN_LIMIT:
                await _drain(receive)
            await _refuse(scope, send, max_bytes)
            return
        received = 0

        async def counted() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:  # the route sees a disconnect and answers 413 (see over_limit)
                    scope[OVER_LIMIT] = max_bytes
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)


def over_limit(scope: dict[str, Any]) -> int | None:
    """The cap a streamed body went past (the route's form parsing then saw a disconnect), or None."""
    return scope.get(OVER_LIMIT)


def _int(value: bytes | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def _drain(receive: Any) -> None:
    already = 0
    while already <= DRAIN_LIMIT:
        message = await receive()
        if message["type"] != "http.request":
            return
        already += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def too_large_text(max_bytes: int) -> tuple[str, str]:
    mb = max_bytes / (1024 * 1024)
    return f"文件太大：上限为 {mb:g} MB", f"file too large: the limit is {mb:g} MB"


async def _refuse(scope: dict[str, Any], send: Any, max_bytes: int) -> None:
    zh, en = too_large_text(max_bytes)
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
    path = scope.get("path", "")
    if path.startswith("/api/") or "text/html" not in accept:
        body = json.dumps({"status": "error", "error": zh, "error_en": en}, ensure_ascii=False).encode("utf-8")
        kind = b"application/json"
    else:
        body = (
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>413</title>'
            f'<p>{zh}</p><p lang="en">{en}</p><p><a href="/">返回 Back</a></p></html>'
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
