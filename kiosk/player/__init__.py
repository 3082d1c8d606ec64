"""The lobby screen player (``kiosk play``).

Functional core: :mod:`kiosk.player.engine` (what is on screen when), :mod:`kiosk.player.motion`
(transitions, ticker, clock tick), :mod:`kiosk.player.keys`, :mod:`kiosk.player.statefiles`
(parsing of power/alert files), :mod:`kiosk.player.proof` (proof-of-display queries).
Imperative shell: :mod:`kiosk.player.loader` (playlist + store → laid-out program, off the frame
path), :mod:`kiosk.player.cache` (pre-rendered pages), :mod:`kiosk.player.shell` (the frame loop).
Importing this package does no I/O and does not import pygame.
"""
