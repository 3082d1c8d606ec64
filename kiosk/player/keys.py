"""Staff keys on an attached keyboard. Pure: key names (as ``pygame.key.name`` spells them)
and modifier flags in, commands out; the shell feeds it events and the monotonic time.

=====================================  ==============================
keys                                   action
=====================================  ==============================
→, Page Down, N                         next page
←, Page Up, P                           previous page
Space, Pause                            pause / resume
R, F5                                   reload playlist and content now
Ctrl+Alt+Q, or hold Q for 3 seconds     quit
S                                       screenshot into the state directory
=====================================  ==============================

Every other key does nothing, so a stray press (or a cat) cannot end the kiosk.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

KeyCommand = Literal["next", "previous", "toggle_pause", "reload", "quit", "screenshot"]

QUIT_HOLD_S = 3.0

BINDINGS: dict[str, KeyCommand] = {
    "right": "next",
    "page down": "next",
    "n": "next",
    "left": "previous",
    "page up": "previous",
    "p": "previous",
    "space": "toggle_pause",
    "pause": "toggle_pause",
    "r": "reload",
    "f5": "reload",
    "s": "screenshot",
}


class KeyMap:
    """Turns key presses into commands; tracks how long Q has been held."""

    def __init__(self, hold_s: float = QUIT_HOLD_S) -> None:
        self.hold_s = hold_s
        self.q_down_at: float | None = None

    def press(self, name: str, mods: Collection[str], mono: float) -> KeyCommand | None:
        name = name.lower()
        if name == "q":
            if "ctrl" in mods and "alt" in mods:
                return "quit"
            if self.q_down_at is None:
                self.q_down_at = mono
            return None
        if {"ctrl", "alt", "meta"} & set(mods):
            return None  # combinations other than Ctrl+Alt+Q are not bound
        return BINDINGS.get(name)

    def release(self, name: str, mono: float) -> KeyCommand | None:
        if name.lower() == "q" and self.q_down_at is not None:
            held = mono - self.q_down_at
            self.q_down_at = None
            if held >= self.hold_s:
                return "quit"
        return None

    def poll(self, mono: float) -> KeyCommand | None:
        """Call while Q is held: says ``quit`` once it has been held long enough."""
        if self.q_down_at is not None and mono - self.q_down_at >= self.hold_s:
            self.q_down_at = None
            return "quit"
        return None

    def wake_in(self, mono: float) -> float | None:
        if self.q_down_at is None:
            return None
        return max(0.0, self.q_down_at + self.hold_s - mono)
