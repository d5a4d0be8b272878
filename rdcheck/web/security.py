"""The bureau's login: server-side sessions behind an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), CSRF
tokens for every form, and a brake on password guessing.

Two kinds of CSRF token: a session's own (every form of the bureau's desk) and, for pages without a session (the
upload page, the login form), a signed, time-stamped token that needs no server state.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

COOKIE = "rdcheck_bureau"
SESSION_IDLE = 8 * 3600.0  # a session unused this long is over
FORM_TOKEN_AGE = 24 * 3600.0  # a page's signed token is good this long
MAX_FAILURES = 5  # wrong passwords from one address within FAILURE_WINDOW before it must wait
FAILURE_WINDOW = 300.0


@dataclass
class Session:
    id: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    last: float = field(default_factory=time.monotonic)


class Guard:
    def __init__(self, secret: str, password: str | None) -> None:
        self._key = hashlib.sha256(("rdcheck-web:" + secret).encode()).digest()
        self._password = hashlib.sha256(password.encode()).digest() if password else None
        self._sessions: dict[str, Session] = {}
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ login

    @property
    def enabled(self) -> bool:
        return self._password is not None

    def blocked(self, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(address, []) if now - t < FAILURE_WINDOW]
            self._failures[address] = recent
            return len(recent) >= MAX_FAILURES

    def login(self, password: str, address: str) -> Session | None:
        """A new session when the password is right; a wrong one counts against the address."""
        if self._password is None or self.blocked(address):
            return None
        if not hmac.compare_digest(hashlib.sha256(password.encode()).digest(), self._password):
            with self._lock:
                self._failures.setdefault(address, []).append(time.monotonic())
            return None
        session = Session(id=secrets.token_urlsafe(32))
        with self._lock:
            self._sessions[session.id] = session
        return session

    def session(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now - session.last > SESSION_IDLE:
                del self._sessions[session_id]
                return None
            session.last = now
            return session

    def logout(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    # ------------------------------------------------------------ CSRF

    def form_token(self) -> str:
        """A signed token for a page without a session: time stamp, nonce, HMAC."""
        body = f"{int(time.time())}.{secrets.token_urlsafe(12)}"
        return f"{body}.{self._sign(body)}"

    def check_form_token(self, token: str | None) -> bool:
        if not token or token.count(".") != 2:
            return False
        stamp, nonce, signature = token.split(".")
        body = f"{stamp}.{nonce}"
        if not hmac.compare_digest(self._sign(body), signature):
            return False
        try:
            return 0 <= time.time() - int(stamp) <= FORM_TOKEN_AGE
        except ValueError:
            return False

    @staticmethod
    def check_session_token(session: Session | None, token: str | None) -> bool:
        return session is not None and bool(token) and hmac.compare_digest(session.csrf, str(token))

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:32]


def cookie_options(secure: bool) -> dict[str, Any]:
    """Set-Cookie options: never readable by scripts, never sent cross-site, only over HTTPS when served so."""
    return {"httponly": True, "samesite": "strict", "secure": secure, "path": "/"}
