"""JSON Schema (draft 2020-12) of the playlist format and of the device config.

Generated from the same key tables the parsers use (:mod:`kiosk.playlist`,
:mod:`kiosk.config`), so completion in an editor and ``kiosk validate`` agree on the keys.
Descriptions are in Chinese with the English below. Editors read YAML 1.2 (where ``179``
is a number and ``10:00`` is text), so text fields also accept numbers here.

The schema cannot express everything the validator checks (files exist, dates are real,
windows can be active); ``kiosk validate`` remains the authority. Pure.
"""

from __future__ import annotations

import json
from typing import Any

from kiosk.fields import Table, table_schema
from kiosk.model import KINDS

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
PLAYLIST_SCHEMA_ID = "https://kiosk.invalid/schema/playlist-v1.json"
CONFIG_SCHEMA_ID = "https://kiosk.invalid/schema/config.json"


def _collect(table: Table, out: dict[str, Table]) -> None:
    for f in table.fields:
        for sub in f.type.tables:
            if sub.name not in out:
                out[sub.name] = sub
                _collect(sub, out)


def _defs(tables: list[Table]) -> dict[str, Any]:
    found: dict[str, Table] = {}
    for t in tables:
        _collect(t, found)
    return {name: table_schema(t) for name, t in sorted(found.items())}


def _entry_schema() -> dict[str, Any]:
    from kiosk.playlist import CONTENT_TABLES, ENTRY_TABLE, KIND_ALIASES

    union = Table(
        "entry",
        ENTRY_TABLE.fields
        + tuple(
            f
            for i, t in enumerate(CONTENT_TABLES.values())
            for f in t.fields
            if f.key not in ENTRY_TABLE.names()
            and all(f.key not in u.names() for u in list(CONTENT_TABLES.values())[:i])
        ),
        ENTRY_TABLE.zh,
        ENTRY_TABLE.en,
    )
    sch = table_schema(union)
    sch["required"] = ["kind"]
    branches = []
    for kind in KINDS:
        names = [kind, *(alias for alias, k in KIND_ALIASES.items() if k == kind)]
        allowed = [*ENTRY_TABLE.names(), *CONTENT_TABLES[kind].names()]
        required = [f.key for f in CONTENT_TABLES[kind].fields if f.required]
        then: dict[str, Any] = {"propertyNames": {"enum": allowed}}
        if required:
            # inline content needs its required keys; ref/select entries take none
            then["anyOf"] = [
                {"required": required},
                {"required": ["ref"]},
                {"required": ["select"]},
            ]
        branches.append(
            {
                "if": {"properties": {"kind": {"enum": names}}, "required": ["kind"]},
                "then": then,
            }
        )
    sch["allOf"] = branches
    return sch


def playlist_schema() -> dict[str, Any]:
    """The JSON Schema of playlist format v1."""
    from kiosk.playlist import CONTENT_TABLES, ENTRY_TABLE, PLAYLIST_TABLE

    root = table_schema(PLAYLIST_TABLE)
    defs = _defs([PLAYLIST_TABLE, ENTRY_TABLE, *CONTENT_TABLES.values()])
    defs["entry"] = _entry_schema()
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": PLAYLIST_SCHEMA_ID,
        "title": "kiosk 播放列表 (playlist format v1)",
        **root,
        "$defs": defs,
    }


def config_schema() -> dict[str, Any]:
    """The JSON Schema of the device config file (kiosk.yaml)."""
    from kiosk.config import CONFIG_TABLE

    return {
        "$schema": SCHEMA_DRAFT,
        "$id": CONFIG_SCHEMA_ID,
        "title": "kiosk 设备配置 (device config)",
        **table_schema(CONFIG_TABLE),
        "$defs": _defs([CONFIG_TABLE]),
    }


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
