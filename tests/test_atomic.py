from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kiosk.atomic import write_atomic, write_json_atomic


def test_write_atomic_replaces_content_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    write_atomic(target, b"new", mode=0o600)
    assert target.read_bytes() == b"new"
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    write_json_atomic(target, {"version": 1})

    class Boom(Exception):
        pass

    class Exploding:
        def __bytes__(self) -> bytes:
            raise Boom

    with pytest.raises(TypeError):
        write_atomic(target, Exploding())  # type: ignore[arg-type]
    assert json.loads(target.read_text()) == {"version": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
