"""Lobby display controller for a township government office."""

__version__ = "0.1.0"

DISCLOSURE_PUBLIC = "主动公开"
"""The only disclosure attribute that may ever reach the public screen."""
