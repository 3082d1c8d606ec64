"""Lobby display controller for a township government office."""

__version__ = "0.1.0"

DISCLOSURE_PUBLIC = "主动公开"
"""The only disclosure attribute that may ever reach the public screen."""

ALG_ED25519 = "ed25519"
"""The one signature algorithm of manifests and keys (here so that naming it loads no crypto)."""
