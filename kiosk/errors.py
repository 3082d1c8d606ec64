"""Exceptions the CLI turns into one line on stderr and an exit status."""

from __future__ import annotations


class KioskError(Exception):
    """An expected failure with a message for the person at the terminal.

    ``key`` is a stable English event key (e.g. ``sync.bad_signature``); the message
    should say what went wrong and, where possible, what to do.
    """

    exit_code = 1

    def __init__(self, message: str, *, key: str = "error", exit_code: int | None = None) -> None:
        super().__init__(message)
        self.key = key
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(KioskError):
    exit_code = 2
