from __future__ import annotations

import pytest

from kiosk.themes import (
    AA_CONTRAST,
    MIN_BODY_RATIO,
    THEMES,
    compute_sizes,
    contrast_ratio,
    get_theme,
    hex_color,
    relative_luminance,
)

ALL_SIZES = [
    (1920, 1080),
    (1080, 1920),
    (1280, 720),
    (720, 1280),
    (3840, 2160),
    (1024, 1024),
    (800, 480),
]


def test_contrast_ratio_follows_the_wcag_formula() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((120, 30, 200), (120, 30, 200)) == pytest.approx(1.0)
    # WCAG reference: #777777 on white is about 4.48:1 (just fails AA).
    assert contrast_ratio(hex_color("#777777"), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert relative_luminance((255, 255, 255)) == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_text_and_background_pair_of_a_theme_meets_wcag_aa(name: str) -> None:
    theme = THEMES[name]
    failing = [
        (label, round(contrast_ratio(fg, bg), 2))
        for label, fg, bg in theme.text_pairs()
        if contrast_ratio(fg, bg) < AA_CONTRAST
    ]
    assert failing == []


@pytest.mark.parametrize("name", sorted(THEMES))
def test_text_on_every_warning_colour_passes_aa(name: str) -> None:
    theme = THEMES[name]
    assert set(theme.alerts) == {"blue", "yellow", "orange", "red"}
    for level, colors in theme.alerts.items():
        assert contrast_ratio(colors.text, colors.background) >= AA_CONTRAST, level


def test_yellow_and_orange_warnings_use_dark_text() -> None:
    theme = get_theme("civic")
    for level in ("yellow", "orange"):
        assert relative_luminance(theme.alerts[level].text) < 0.05


@pytest.mark.parametrize("size", ALL_SIZES)
@pytest.mark.parametrize("name", sorted(THEMES))
def test_body_text_is_at_least_three_and_a_half_percent_of_the_screen_height(
    name: str, size: tuple[int, int]
) -> None:
    sz = THEMES[name].sizes(size)
    assert sz.body >= MIN_BODY_RATIO * size[1]
    assert sz.ticker >= sz.body and sz.h1 >= sz.body


def test_sizes_scale_with_the_screen_height() -> None:
    theme = get_theme("civic")
    small = theme.sizes((1280, 720))
    big = theme.sizes((3840, 2160))
    assert big.body == pytest.approx(small.body * 3, abs=3)
    assert big.title == pytest.approx(small.title * 3, abs=3)


def test_unknown_theme_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="civic"):
        get_theme("neon")


def test_a_screen_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        compute_sizes((0, 1080), get_theme("civic").scale)
