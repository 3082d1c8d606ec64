"""Device config: lookup order, table-driven parsing, the same diagnostics as playlists."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

import kiosk.config as config_mod
from kiosk.config import Config, OfficeHours, load_config, parse_config
from kiosk.diagnostics import InputError

ROOT = Path(__file__).resolve().parent.parent


def parse(text: str, path: str = "/etc/kiosk/kiosk.yaml") -> tuple[Config, list[str]]:
    cfg, diags = parse_config(text.encode(), path)
    return cfg, [d.format("en") for d in diags]


def test_the_example_config_parses_cleanly() -> None:
    cfg, diags = parse_config((ROOT / "docs" / "kiosk.example.yaml").read_bytes(), "k.yaml")
    assert diags == []
    assert cfg.state_dir == "/var/lib/kiosk"
    assert cfg.power.hours == (*(OfficeHours(d, time(8), time(18)) for d in range(1, 6)),)
    assert cfg.daemon.sync_time == time(2, 30)


def test_missing_keys_keep_their_defaults_and_given_ones_are_typed() -> None:
    cfg, diags = parse("display:\n  size: 1920x1080\n  rotation: 90\n  fullscreen: no\n")
    assert diags == []
    assert cfg.display.size == (1920, 1080)
    assert cfg.display.rotation == 90
    assert cfg.display.fullscreen is False
    assert cfg.display.theme == "civic"
    assert cfg.timezone == "Asia/Shanghai"
    assert cfg.source == "/etc/kiosk/kiosk.yaml"


def test_relative_paths_are_relative_to_the_config_file() -> None:
    cfg, _ = parse("playlist: playlists/lobby.yaml\nstate_dir: /var/lib/kiosk\n")
    assert cfg.playlist == "/etc/kiosk/playlists/lobby.yaml"
    assert cfg.state_dir == "/var/lib/kiosk"


def test_portal_source_url_is_kept_as_is() -> None:
    cfg, _ = parse("portal:\n  source: https://portal.example.gov.cn/kiosk/\n")
    assert cfg.portal.source == "https://portal.example.gov.cn/kiosk/"


def test_unknown_keys_get_a_suggestion() -> None:
    _, diags = parse("portal:\n  public_kye: /etc/kiosk/portal.pub\n")
    assert diags == [
        "/etc/kiosk/kiosk.yaml:2:3: error: unknown key 'public_kye'; did you mean "
        "'public_key'? [key.unknown]"
    ]


def test_bad_values_are_reported_with_positions() -> None:
    _, diags = parse(
        "timezone: Beijing\ndisplay:\n  rotation: 45\n  size: big\n"
        "daemon:\n  sync_time: 2:3\npower:\n  hours:\n    mon-fri: 08:00-08:00\n"
    )
    assert [d.split(": ")[0] for d in diags] == [
        "/etc/kiosk/kiosk.yaml:1:11",
        "/etc/kiosk/kiosk.yaml:3:13",
        "/etc/kiosk/kiosk.yaml:4:9",
        "/etc/kiosk/kiosk.yaml:6:14",
        "/etc/kiosk/kiosk.yaml:9:14",
    ]


def test_power_hours_map_weekday_ranges_to_office_hours() -> None:
    cfg, diags = parse("power:\n  hours:\n    周一至周五: 08:00-17:30\n    sat: 09:00-12:00\n")
    assert diags == []
    assert [h.weekday for h in cfg.power.hours] == [1, 2, 3, 4, 5, 6]
    assert cfg.power.hours[5] == OfficeHours(6, time(9), time(12))


def test_lookup_order_cli_then_environment_then_system_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, env, system = tmp_path / "cli.yaml", tmp_path / "env.yaml", tmp_path / "sys.yaml"
    cli.write_text("timezone: Asia/Urumqi\n", encoding="utf-8")
    env.write_text("timezone: Asia/Harbin\n", encoding="utf-8")
    system.write_text("timezone: Asia/Chongqing\n", encoding="utf-8")
    monkeypatch.setattr(config_mod, "SYSTEM_CONFIG", system)
    environ = {"KIOSK_CONFIG": str(env)}
    assert load_config(str(cli), environ).timezone == "Asia/Urumqi"
    assert load_config(None, environ).timezone == "Asia/Harbin"
    assert load_config(None, {}).timezone == "Asia/Chongqing"
    system.unlink()
    assert load_config(None, {}) == Config()


def test_a_bad_config_raises_input_error_with_every_problem(tmp_path: Path) -> None:
    f = tmp_path / "k.yaml"
    f.write_text("timezon: Asia/Shanghai\ndisplay:\n  fps: fast\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_config(str(f), {})
    assert [d.key for d in exc.value.diagnostics] == ["key.unknown", "value.not_integer"]


def test_a_named_config_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_config(str(tmp_path / "none.yaml"), {})
    assert exc.value.diagnostics[0].key == "file.not_found"


def test_a_misspelt_theme_is_an_error_with_a_suggestion() -> None:
    _, diags = parse("display:\n  theme: contast\n")
    assert diags == [
        "/etc/kiosk/kiosk.yaml:2:10: error: 'contast' is not one of: civic / contrast; "
        "did you mean 'contrast'? [value.bad_choice]"
    ]


def test_a_theme_may_be_written_in_chinese() -> None:
    cfg, diags = parse("display:\n  theme: 深色\n")
    assert diags == []
    assert cfg.display.theme == "contrast"


@pytest.mark.parametrize(
    ("source", "col", "says"),
    [
        ("htps://portal.example.gov.cn/kiosk/", 11, "did you mean 'https://'?"),
        ("ftp://portal.example.gov.cn/kiosk/", 11, "unsupported scheme 'ftp'"),
        ("https:/portal.example.gov.cn/kiosk/", 11, "has no host"),
        ("https://", 11, "has no host"),
    ],
)
def test_a_portal_source_with_a_bad_url_is_an_error(source: str, col: int, says: str) -> None:
    _, diags = parse(f"portal:\n  source: {source}\n")
    assert len(diags) == 1
    assert diags[0].startswith(f"/etc/kiosk/kiosk.yaml:2:{col}: error: ")
    assert says in diags[0] and diags[0].endswith("[config.bad_url]")


@pytest.mark.parametrize(
    "source", ["https://portal.example.gov.cn/kiosk/", "http://127.0.0.1:8080/", "file:///mnt/usb/"]
)
def test_portal_sources_with_supported_schemes_are_accepted(source: str) -> None:
    cfg, diags = parse(f"portal:\n  source: {source}\n")
    assert diags == []
    assert cfg.portal.source == source


def test_a_url_where_a_local_file_is_needed_is_an_error() -> None:
    _, diags = parse("portal:\n  public_key: https://portal.example.gov.cn/portal.pub\n")
    assert len(diags) == 1 and diags[0].startswith("/etc/kiosk/kiosk.yaml:2:15: error: ")
    assert diags[0].endswith("[config.not_a_path]")


def test_configured_files_that_do_not_exist_are_warnings_when_files_are_checked(
    tmp_path: Path,
) -> None:
    (tmp_path / "portal.pub").write_text("key")
    text = (
        "playlist: playlists/lobby.yaml\n"
        "portal:\n"
        "  source: /media/usb/kiosk\n"
        "  public_key: portal.pub\n"
        "display:\n"
        "  fonts:\n"
        "    regular: /no/such/font.ttc\n"
    )
    path = str(tmp_path / "kiosk.yaml")
    cfg, diags = parse_config(text.encode(), path, file_exists=lambda p: Path(p).exists())
    assert [(d.pos.line, d.pos.col, d.key, d.is_error) for d in diags] == [
        (1, 11, "config.file_missing", False),
        (3, 11, "config.file_missing", False),
        (7, 14, "config.file_missing", False),
    ]
    assert cfg.portal.public_key == str(tmp_path / "portal.pub")
    # without the injected check (the player, the daemon) nothing is looked up
    assert parse_config(text.encode(), path)[1] == []


def test_the_example_config_is_valid_for_kiosk_validate() -> None:
    import io

    from kiosk.cli import Environment, main

    out = io.StringIO()
    example = str(ROOT / "docs" / "kiosk.example.yaml")
    code = main(["validate", "--no-font-check", example], Environment(stdout=out, environ={}))
    assert code == 0, out.getvalue()
    assert "配置文件有效" in out.getvalue()
    assert ": 错误: " not in out.getvalue()
