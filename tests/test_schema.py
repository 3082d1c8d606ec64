"""The JSON Schema is generated from the parser's tables and agrees with the validator."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kiosk.config import check_tables
from kiosk.schema import config_schema, dumps, playlist_schema
from kiosk.yamlsrc import Map, Node, Scalar, Seq, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "playlists").glob("*.yaml"))

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def as_editor_sees_it(node: Node) -> Any:
    """The JSON value an editor's YAML 1.2 (core schema) parser makes of a node."""
    if isinstance(node, Map):
        return {k.text: as_editor_sees_it(v) for k, v in node}
    if isinstance(node, Seq):
        return [as_editor_sees_it(v) for v in node.items]
    assert isinstance(node, Scalar)
    if not node.plain:
        return node.text
    t = node.text
    if t in ("", "~", "null", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(t):
        return int(t)
    if _FLOAT.fullmatch(t):
        return float(t)
    return t


def instance(path: Path) -> Any:
    node, diags = parse_yaml(path.read_bytes(), str(path))
    assert node is not None, diags
    return as_editor_sees_it(node)


def test_schemas_are_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(playlist_schema())
    jsonschema.Draft202012Validator.check_schema(config_schema())


def test_published_schema_files_are_up_to_date() -> None:
    # regenerate with: kiosk schema -o docs/playlist.schema.json
    assert (ROOT / "docs" / "playlist.schema.json").read_text("utf-8") == dumps(playlist_schema())
    assert (ROOT / "docs" / "config.schema.json").read_text("utf-8") == dumps(config_schema())


def test_there_are_example_playlists() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_playlist_validates_against_the_schema(path: Path) -> None:
    jsonschema.validate(instance(path), playlist_schema())


def test_schema_rejects_an_unknown_key_and_a_key_of_another_kind(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(
        "version: 1\nentries:\n  - {id: a, kind: notice, title: t, body: b, service: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(instance(f), playlist_schema())
    f.write_text("version: 1\nentrys: []\n", encoding="utf-8")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(instance(f), playlist_schema())


def test_schema_descriptions_are_chinese_first() -> None:
    props = playlist_schema()["$defs"]["entry"]["properties"]
    assert props["title"]["description"].startswith("标题")
    assert "kind" in props and "body" in props and "service" in props


def test_example_config_validates_against_the_config_schema() -> None:
    f = ROOT / "docs" / "kiosk.example.yaml"
    jsonschema.validate(instance(f), config_schema())


def test_config_tables_cover_every_config_field() -> None:
    assert check_tables() == []


def test_schema_output_is_json() -> None:
    assert json.loads(dumps(playlist_schema()))["$defs"]["schedule"]["type"] == "object"


def kiosk_schema(*argv: str) -> str:
    import io

    from kiosk.cli import Environment, main

    out, err = io.StringIO(), io.StringIO()
    code = main(["schema", *argv], Environment(stdout=out, stderr=err, environ={}))
    assert code == 0, err.getvalue()
    return out.getvalue()


@pytest.mark.parametrize(
    ("argv", "published"),
    [((), "playlist.schema.json"), (("--kind", "config"), "config.schema.json")],
    ids=["playlist", "config"],
)
def test_kiosk_schema_prints_exactly_the_published_file(
    argv: tuple[str, ...], published: str, tmp_path: Path
) -> None:
    # regenerate with: kiosk schema [--kind config] -o docs/<name>.schema.json
    want = (ROOT / "docs" / published).read_text("utf-8")
    assert kiosk_schema(*argv) == want
    kiosk_schema(*argv, "-o", str(tmp_path / published))
    assert (tmp_path / published).read_text("utf-8") == want


def test_editors_offer_the_theme_names_and_flag_a_misspelt_one(tmp_path: Path) -> None:
    from kiosk.themes import THEMES

    enum = playlist_schema()["$defs"]["frame"]["properties"]["theme"]["enum"]
    assert set(THEMES) <= set(enum)
    f = tmp_path / "p.yaml"
    f.write_text("version: 1\nframe: {theme: contast}\nentries: []\n", encoding="utf-8")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(instance(f), playlist_schema())
