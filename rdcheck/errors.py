"""Errors the library raises for bad input; the CLI turns them into one-line messages."""

from __future__ import annotations


class RdcheckError(Exception):
    """An error a user can act on, with its message in Chinese and English."""

    def __init__(self, zh: str, en: str | None = None) -> None:
        super().__init__(zh)
        self.zh = zh
        self.en = en or zh

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class ReadError(RdcheckError):
    """A workbook cannot be read at all (corrupt, encrypted, not Excel, too large, hostile)."""


class ConfigError(RdcheckError):
    """A configuration, catalogue or district file is invalid."""
