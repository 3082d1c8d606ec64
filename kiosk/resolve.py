"""Resolving ``ref:`` and ``select:`` entries against the synced content store. Pure.

``resolve_entries(entries, items, now)`` returns the entries with content only:

* inline entries pass through unchanged;
* a ``ref`` entry becomes one entry with the referenced item's content (same id);
* a ``select`` entry becomes one entry per selected item, id ``"<entry-id>/<item-id>"``,
  taking the item's content and the entry's duration, transition, schedule and position;
  items are the current ones (validity window contains ``now``) of the entry's kind and
  category, ordered newest first (by date, then id; ``order: oldest`` reverses), at most
  ``limit``.

Only items marked 主动公开 ever come through: others are dropped with a diagnostic (the
sync layer refuses them already; this is the second lock). A missing ``ref``, a kind
mismatch, or an image/PDF whose file is not in the item are reported and the entry is
dropped; nothing here raises. Diagnostics are warnings: the rest of the playlist plays on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from kiosk import DISCLOSURE_PUBLIC
from kiosk.diagnostics import Diagnostic, warning
from kiosk.model import Content, Entry, Image, Notice, Pdf, StoreItem


def _aware(at: datetime, like: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=like.tzinfo)


def is_current(item: StoreItem, now: datetime) -> bool:
    """Whether ``now`` lies in the item's validity window (open ends are unbounded;
    ``valid_to`` is exclusive)."""
    if item.valid_from is not None and now < _aware(item.valid_from, now):
        return False
    return not (item.valid_to is not None and now >= _aware(item.valid_to, now))


def item_date(item: StoreItem) -> date | None:
    if item.date is not None:
        return item.date
    d = getattr(item.content, "date", None)
    return d if isinstance(d, date) else None


def _category(item: StoreItem) -> str | None:
    c = getattr(item.content, "category", None)
    return c if isinstance(c, str) else None


def _with_files(entry: Entry, item: StoreItem) -> tuple[Content | None, Diagnostic | None]:
    """Point image/PDF content at the verified object files of the item. The store may
    have done so already (then the paths are among ``item.files``' values)."""
    content = item.content
    if not isinstance(content, Image | Pdf):
        return content, None
    objects = set(item.files.values())

    def lookup(name: str) -> str | None:
        return name if name in objects else item.files.get(name)

    names = (content.file, *(content.pages if isinstance(content, Pdf) else ()))
    found = [lookup(n) for n in names]
    missing = [n for n, got in zip(names, found, strict=True) if got is None]
    if missing:
        return None, warning(
            entry.pos,
            "resolve.missing_file",
            f"内容“{item.id}”的文件“{missing[0]}”不在内容库里，跳过这一条",
            f"item '{item.id}' has no file '{missing[0]}' in the store; skipped",
        )
    path, pages = str(found[0]), tuple(str(p) for p in found[1:])
    if isinstance(content, Pdf):
        return replace(content, file=path, pages=pages), None
    return replace(content, file=path), None


def _materialise(
    entry: Entry, item: StoreItem, new_id: str
) -> tuple[Entry | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    if not item.public or item.disclosure != DISCLOSURE_PUBLIC:
        diags.append(
            warning(
                entry.pos,
                "resolve.not_public",
                f"内容“{item.id}”的公开属性是“{item.disclosure}”，不是“{DISCLOSURE_PUBLIC}”，"
                "不能上屏，已跳过",
                f"item '{item.id}' is marked '{item.disclosure}', not {DISCLOSURE_PUBLIC}; refused",
            )
        )
        return None, diags
    content, problem = _with_files(entry, item)
    if problem is not None:
        diags.append(problem)
    if content is None:
        return None, diags
    schedule = entry.schedule
    if schedule.publicity is None and isinstance(content, Notice) and content.publicity is not None:
        schedule = replace(schedule, publicity=content.publicity)
    return (
        replace(
            entry,
            id=new_id,
            content=content,
            ref=None,
            select=None,
            schedule=schedule,
            disclosure=item.disclosure,
        ),
        diags,
    )


def select_items(entry: Entry, items: Sequence[StoreItem], now: datetime) -> list[StoreItem]:
    """The public store items a ``select`` entry picks, in display order."""
    sel = entry.select
    if sel is None:
        return []
    chosen = [
        it
        for it in items
        if it.public
        and it.kind == sel.kind
        and (sel.category is None or _category(it) == sel.category)
        and is_current(it, now)
    ]
    chosen.sort(key=lambda it: (item_date(it) or date.min, it.id), reverse=sel.order == "newest")
    return chosen[: sel.limit]


def resolve_entries(
    entries: Sequence[Entry], items: Sequence[StoreItem], now: datetime
) -> tuple[list[Entry], list[Diagnostic]]:
    """Turn ``ref``/``select`` entries into entries with content (see the module doc)."""
    by_id: dict[str, StoreItem] = {}
    for it in items:
        by_id.setdefault(it.id, it)
    out: list[Entry] = []
    diags: list[Diagnostic] = []
    for e in entries:
        if e.content is not None:
            out.append(e)
            continue
        if e.ref is not None:
            item = by_id.get(e.ref)
            if item is None:
                diags.append(
                    warning(
                        e.pos,
                        "resolve.missing_ref",
                        f"条目“{e.id}”引用的内容“{e.ref}”不在内容库里（可能还没同步），跳过",
                        f"entry '{e.id}' refers to '{e.ref}', which is not in the store; skipped",
                    )
                )
                continue
            if item.kind != e.kind:
                diags.append(
                    warning(
                        e.pos,
                        "resolve.kind_mismatch",
                        f"条目“{e.id}”的类型是 {e.kind}，但内容“{e.ref}”是 {item.kind}，跳过",
                        f"entry '{e.id}' is a {e.kind} but item '{e.ref}' is a {item.kind}; "
                        "skipped",
                    )
                )
                continue
            if not is_current(item, now):
                diags.append(
                    warning(
                        e.pos,
                        "resolve.not_current",
                        f"条目“{e.id}”引用的内容“{e.ref}”不在有效期内，暂不显示",
                        f"item '{e.ref}' referred to by '{e.id}' is outside its validity window",
                    )
                )
                continue
            entry, found = _materialise(e, item, e.id)
            diags.extend(found)
            if entry is not None:
                out.append(entry)
            continue
        if e.select is not None:
            for item in items:
                if not item.public and item.kind == e.select.kind:
                    diags.extend(_materialise(e, item, f"{e.id}/{item.id}")[1])
            for item in select_items(e, items, now):
                entry, found = _materialise(e, item, f"{e.id}/{item.id}")
                diags.extend(found)
                if entry is not None:
                    out.append(entry)
    return out, diags
