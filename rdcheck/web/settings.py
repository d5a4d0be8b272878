"""What `rdcheck serve` is configured with: the command's options, the config's `web:` section and the environment.

```
web:
  bureau_password: 换成一个长密码      # or set RDCHECK_BUREAU_PASSWORD (the environment wins)
  max_upload_mb: 30                    # larger uploads are refused with 413 before they are read
  timeout: 300                         # seconds one check may take in its worker process
  link_minutes: 60                     # how long a report page and its download link live
```
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError

PASSWORD_ENV = "RDCHECK_BUREAU_PASSWORD"
MB = 1024 * 1024
# uploads the reader accepts; the bytes must also look like one (a zip for the OOXML types, OLE2 for .xls)
WORKBOOK_TYPES = {".xlsx": b"PK\x03\x04", ".xlsm": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0"}
_KEYS = {"bureau_password", "max_upload_mb", "timeout", "link_minutes"}


@dataclass
class WebSettings:
    """Everything the app needs; `from_config` fills it from a bureau configuration file and the environment."""

    config_path: str | None = None
    register_path: str | None = None
    district_path: str | None = None
    roster_path: str | None = None
    workers: int = 2
    timeout: float = 300.0
    max_upload: int = 30 * MB
    max_round: int = 500 * MB  # a bureau's zip of a whole round
    link_seconds: float = 3600.0
    bureau_password: str | None = None
    max_queue: int = 64  # checks waiting for a worker before new uploads are told to come back later
    work_dir: str | None = None  # where uploads and annotated copies live while their links do (default: a temp dir)
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @classmethod
    def from_config(cls, config_path: str | None = None, **options: Any) -> WebSettings:
        """Read the `web:` section of the bureau's config (if any); options given here win over it."""
        values: dict[str, Any] = {}
        if config_path is not None:
            values.update(_web_section(config_path))
        values.update({k: v for k, v in options.items() if v is not None})
        env = os.environ.get(PASSWORD_ENV)
        if env:
            values["bureau_password"] = env
        return cls(config_path=config_path, **values)


def _web_section(path: str) -> dict[str, Any]:
    import yaml

    from ..engine import Config

    Config.load(path)  # the same validation `rdcheck check --config` gives, with its one-line errors
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    web = data.get("web") or {}
    name = Path(path).name

    def bad(zh: str, en: str) -> ConfigError:
        return ConfigError(f"配置 {name} 无效：{zh}", f"config {name} is invalid: {en}")

    if not isinstance(web, dict):
        raise bad("web 必须是映射", "web must be a mapping")
    unknown = sorted(map(str, set(web) - _KEYS))
    if unknown:
        known = ", ".join(sorted(_KEYS))
        raise bad(f"未知的 web.{unknown[0]}（可用：{known}）", f"unknown web.{unknown[0]} (known: {known})")
    out: dict[str, Any] = {}
    for key, target, scale in (("max_upload_mb", "max_upload", MB), ("timeout", "timeout", 1), ("link_minutes", "link_seconds", 60)):  # fmt: skip
        if key in web:
            value = web[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise bad(f"web.{key} 必须是正数", f"web.{key} must be a positive number")
            out[target] = int(value * scale) if target == "max_upload" else float(value * scale)
    if "bureau_password" in web:
        password = web["bureau_password"]
        if not isinstance(password, str) or len(password) < 8:
            raise bad("web.bureau_password 至少 8 个字符", "web.bureau_password must be at least 8 characters")
        out["bureau_password"] = password
    return out
