"""Chinese typesetting, pure: line breaking (W3C clreq), paragraphs and headings,
pagination and auto-fit.  Text, sizes and a ``measure`` function in; lines out.  Only
:mod:`kiosk.text.measure` touches fonts (pygame.freetype), and only when called."""

from kiosk.text.autofit import autofit
from kiosk.text.linebreak import Measure, break_lines
from kiosk.text.paginate import TextPage, page_seconds, paginate
from kiosk.text.paragraphs import Block, LaidLine, TextStyle, layout_blocks, parse_blocks

__all__ = [
    "Block",
    "LaidLine",
    "Measure",
    "TextPage",
    "TextStyle",
    "autofit",
    "break_lines",
    "layout_blocks",
    "page_seconds",
    "paginate",
    "parse_blocks",
]
