"""Resolving ref/select entries against the content store."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from kiosk.model import Entry, Guide, Image, Notice, Pdf, Publicity, Selection, StoreItem
from kiosk.resolve import resolve_entries

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)


def notice(item_id: str, day: int, category: str = "工作动态", **kw: object) -> StoreItem:
    content = Notice(
        title=f"标题{item_id}", body="正文", date=date(2026, 11, day), category=category
    )
    return StoreItem(id=item_id, kind="notice", content=content, disclosure="主动公开", **kw)  # type: ignore[arg-type]


def select(category: str | None = "工作动态", limit: int = 10, order: str = "newest") -> Entry:
    return Entry(
        id="news",
        kind="notice",
        select=Selection(kind="notice", category=category, limit=limit, order=order),  # type: ignore[arg-type]
    )


def test_select_orders_newest_first_by_date_then_id_and_limits() -> None:
    items = [notice("a", 20), notice("c", 25), notice("b", 25), notice("d", 10)]
    out, diags = resolve_entries([select(limit=3)], items, NOW)
    assert diags == []
    assert [e.id for e in out] == ["news/c", "news/b", "news/a"]
    assert all(e.content is not None and e.select is None for e in out)


def test_select_oldest_first_reverses_the_order() -> None:
    items = [notice("a", 20), notice("b", 25)]
    out, _ = resolve_entries([select(order="oldest")], items, NOW)
    assert [e.id for e in out] == ["news/a", "news/b"]


def test_select_filters_by_category_kind_and_validity_window() -> None:
    items = [
        notice("news", 20),
        notice("hr", 21, category="人事任命"),
        notice("future", 22, valid_from=datetime(2026, 12, 1, tzinfo=TZ)),
        notice("past", 23, valid_to=datetime(2026, 11, 30, 9, 0, tzinfo=TZ)),
        StoreItem(id="g", kind="guide", content=Guide(service="x"), disclosure="主动公开"),
    ]
    out, _ = resolve_entries([select()], items, NOW)
    assert [e.id for e in out] == ["news/news"]


def test_non_public_items_are_never_selected_and_are_reported() -> None:
    secret = notice("s", 29)
    secret = StoreItem(id="s", kind="notice", content=secret.content, disclosure="依申请公开")
    out, diags = resolve_entries([select(limit=1)], [secret, notice("ok", 1)], NOW)
    assert [e.id for e in out] == ["news/ok"]  # the refused item does not take the slot
    assert [d.key for d in diags] == ["resolve.not_public"]


def test_ref_resolves_to_the_item_content_keeping_the_entry_id() -> None:
    entry = Entry(id="r", kind="notice", ref="a", duration=30.0)
    out, diags = resolve_entries([entry], [notice("a", 20)], NOW)
    assert diags == []
    assert out[0].id == "r" and out[0].duration == 30.0
    assert isinstance(out[0].content, Notice) and out[0].ref is None


def test_missing_ref_is_reported_and_dropped() -> None:
    out, diags = resolve_entries([Entry(id="r", kind="notice", ref="gone")], [], NOW)
    assert out == []
    assert [d.key for d in diags] == ["resolve.missing_ref"]
    assert not diags[0].is_error


def test_ref_to_a_non_public_item_is_refused() -> None:
    item = StoreItem(id="x", kind="notice", content=notice("x", 1).content, disclosure="不予公开")
    out, diags = resolve_entries([Entry(id="r", kind="notice", ref="x")], [item], NOW)
    assert out == [] and [d.key for d in diags] == ["resolve.not_public"]


def test_ref_with_the_wrong_kind_is_reported() -> None:
    out, diags = resolve_entries([Entry(id="r", kind="guide", ref="a")], [notice("a", 1)], NOW)
    assert out == [] and [d.key for d in diags] == ["resolve.kind_mismatch"]


def test_inline_entries_pass_through_unchanged() -> None:
    inline = Entry(id="i", kind="notice", content=notice("i", 1).content)
    out, diags = resolve_entries([inline], [], NOW)
    assert out == [inline] and diags == []


def test_store_images_point_at_their_verified_object_file() -> None:
    item = StoreItem(
        id="img",
        kind="image",
        content=Image(file="photo.png"),
        disclosure="主动公开",
        files={"photo.png": "/var/lib/kiosk/objects/ab12"},
    )
    out, _ = resolve_entries([Entry(id="e", kind="image", ref="img")], [item], NOW)
    assert isinstance(out[0].content, Image)
    assert out[0].content.file == "/var/lib/kiosk/objects/ab12"
    missing = StoreItem(id="img", kind="image", content=Image(file="x.png"), disclosure="主动公开")
    out, diags = resolve_entries([Entry(id="e", kind="image", ref="img")], [missing], NOW)
    assert out == [] and [d.key for d in diags] == ["resolve.missing_file"]


def test_a_store_notice_publicity_limits_the_resolved_schedule() -> None:
    pub = Publicity(date(2026, 11, 30), working_days=5)
    item = StoreItem(
        id="p",
        kind="notice",
        content=Notice(title="公示", body="b", publicity=pub),
        disclosure="主动公开",
    )
    out, _ = resolve_entries([Entry(id="e", kind="notice", ref="p")], [item], NOW)
    assert out[0].schedule.publicity == pub


def test_store_paths_already_mapped_by_the_store_are_kept() -> None:
    obj = "/var/lib/kiosk/objects/cd34"
    item = StoreItem(
        id="img",
        kind="image",
        content=Image(file=obj),
        disclosure="主动公开",
        files={"photo.png": obj},
    )
    out, diags = resolve_entries([Entry(id="e", kind="image", ref="img")], [item], NOW)
    assert diags == []
    assert isinstance(out[0].content, Image) and out[0].content.file == obj


def test_published_pdf_page_images_are_mapped_to_objects() -> None:
    item = StoreItem(
        id="doc",
        kind="pdf",
        content=Pdf(file="p1.png", pages=("p1.png", "p2.png")),
        disclosure="主动公开",
        files={"p1.png": "/o/1", "p2.png": "/o/2"},
    )
    out, diags = resolve_entries([Entry(id="e", kind="pdf", ref="doc")], [item], NOW)
    assert diags == []
    assert isinstance(out[0].content, Pdf)
    assert (out[0].content.file, out[0].content.pages) == ("/o/1", ("/o/1", "/o/2"))
