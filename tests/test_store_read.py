from __future__ import annotations

import json
import os
from pathlib import Path

from kiosk.model import Image, Notice
from kiosk.store import read_current


def _generation(state: Path, n: int, items: list[dict[str, object]]) -> Path:
    gen = state / "generations" / str(n)
    gen.mkdir(parents=True)
    (gen / "items.json").write_text(
        json.dumps(
            {
                "format": 1,
                "generation": n,
                "version": 40 + n,
                "applied_at": "2026-11-29T02:30:00+08:00",
                "playlist": None,
                "items": items,
                "dropped": [],
            },
            ensure_ascii=False,
        )
    )
    return gen


def test_a_fresh_state_dir_has_no_current_generation(tmp_path: Path) -> None:
    assert read_current(tmp_path) is None
    assert read_current(tmp_path / "missing") is None


def test_current_generation_loads_items_with_absolute_object_paths(tmp_path: Path) -> None:
    sha = "a" * 64
    _generation(
        tmp_path,
        3,
        [
            {
                "id": "n-1",
                "kind": "notice",
                "disclosure": "主动公开",
                "date": "2018-12-31",
                "meta": {"title": "公告", "body": "正文"},
                "files": {},
            },
            {
                "id": "img-1",
                "kind": "image",
                "disclosure": "主动公开",
                "meta": {"file": "a.png"},
                "files": {"a.png": sha},
            },
        ],
    )
    os.symlink("generations/3", tmp_path / "current")
    view = read_current(tmp_path)
    assert view is not None
    assert (view.generation, view.version) == (3, 43)
    notice, image = view.items
    assert isinstance(notice.content, Notice) and notice.date is not None
    assert isinstance(image.content, Image)
    assert image.content.file == str(tmp_path / "objects" / sha)
    assert image.files == {"a.png": str(tmp_path / "objects" / sha)}
    assert view.updated_at is not None


def test_updated_at_is_the_last_successful_sync(tmp_path: Path) -> None:
    _generation(tmp_path, 1, [])
    os.symlink("generations/1", tmp_path / "current")
    (tmp_path / "state.json").write_text(
        json.dumps({"last_success": {"time": "2026-11-30T02:31:00+08:00"}})
    )
    view = read_current(tmp_path)
    assert view is not None and view.updated_at is not None
    assert view.updated_at.isoformat() == "2026-11-30T02:31:00+08:00"


def test_a_current_link_pointing_anywhere_else_is_ignored(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _generation(elsewhere, 1, [])
    os.symlink(str(elsewhere / "generations" / "1"), tmp_path / "current")
    assert read_current(tmp_path) is None


def test_a_planted_symlink_for_items_json_is_not_followed(tmp_path: Path) -> None:
    gen = _generation(tmp_path, 2, [])
    (gen / "items.json").unlink()
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    os.symlink(secret, gen / "items.json")
    os.symlink("generations/2", tmp_path / "current")
    assert read_current(tmp_path) is None
