"""kiosk publish: sources → verified, incremental, signed publication."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from kiosk import keys
from kiosk import manifest as mf
from kiosk.cli import Environment, main
from kiosk.diagnostics import InputError
from kiosk.errors import KioskError
from kiosk.model import Pdf
from kiosk.publish import Options, Outcome, publish

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=TZ)
REPO = Path(__file__).resolve().parent.parent
KEY = keys.generate()
TRUSTED = keys.trusted([keys.public_key(KEY.public_key())])


def notice(
    item_id: str, disclosure: str = "主动公开", title: str = "关于开展冬季防火检查的通知"
) -> str:
    return (
        f"id: {item_id}\n"
        "kind: notice\n"
        f"disclosure: {disclosure}\n"
        "valid_to: 2026-12-31\n"
        "category: 工作动态\n"
        f"title: {title}\n"
        "doc_number: 红政发〔2026〕12号\n"
        "date: 2026-11-20\n"
        "body: |\n"
        "  一、检查范围\n"
        "  辖区重点林区和牧户居住点。\n"
    )


def image_item(item_id: str, ref: str) -> str:
    return f"id: {item_id}\nkind: image\ndisclosure: 主动公开\nfile: {ref}\ncaption: 示意图\n"


def png(w: int = 64, h: int = 48, color: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def make_source(root: Path, items: dict[str, str], files: dict[str, bytes] | None = None) -> Path:
    (root / "items").mkdir(parents=True, exist_ok=True)
    for name, text in items.items():
        (root / "items" / name).write_text(text, encoding="utf-8")
    for name, data in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def verified(portal: Path) -> mf.Manifest:
    """Check the publication exactly as a device would, including every object."""
    raw = (portal / "manifest.json").read_bytes()
    sig = (portal / "manifest.json.sig").read_bytes()
    manifest = mf.verify_and_parse(raw, sig, TRUSTED)
    mf.check_items(manifest)
    for sha, length in manifest.objects().items():
        data = (portal / "objects" / sha).read_bytes()
        assert len(data) == length
        assert hashlib.sha256(data).hexdigest() == sha
    return manifest


def snapshot(portal: Path) -> dict[str, tuple[int, int, bytes]]:
    out = {}
    for p in sorted(portal.rglob("*")):
        if p.is_file() and ".kiosk" not in p.parts:
            st = p.stat()
            out[str(p.relative_to(portal))] = (st.st_ino, st.st_mtime_ns, p.read_bytes())
    return out


@pytest.fixture
def src(tmp_path: Path) -> Path:
    return make_source(
        tmp_path / "src",
        {"a.yaml": notice("notice-a"), "map.yaml": image_item("map", "../files/map.png")},
        {"files/map.png": png()},
    )


def test_demo_publication_publishes_and_verifies_with_the_device_code(tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    result = publish(REPO / "assets" / "demo", portal, KEY, NOW)
    assert result.outcome is Outcome.PUBLISHED
    manifest = verified(portal)
    kinds = {i.kind for i in manifest.items}
    assert kinds == {"notice", "guide", "report", "image", "pdf"}
    categories = {i.meta.get("category") for i in manifest.items if i.kind == "notice"}
    assert {"工作动态", "人事任命", "财政资金", "计划总结"} <= categories
    assert all(i.disclosure == "主动公开" for i in manifest.items)
    assert manifest.publisher == "红花尔基镇人民政府办公室"
    assert manifest.expires - manifest.issued == timedelta(days=14)


def test_manifest_names_the_signing_key_and_the_next_version(src: Path, tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    manifest = verified(portal)
    assert manifest.version == 1
    assert manifest.key_id == keys.key_id_of(KEY.public_key())
    assert manifest.issued == NOW
    (src / "items" / "b.yaml").write_text(notice("notice-b"), encoding="utf-8")
    publish(src, portal, KEY, NOW + timedelta(hours=1))
    assert verified(portal).version == 2


def test_rerun_with_unchanged_sources_writes_nothing(src: Path, tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    before = snapshot(portal)
    result = publish(src, portal, KEY, NOW + timedelta(hours=20))
    assert result.outcome is Outcome.UNCHANGED
    assert result.version == 1
    assert snapshot(portal) == before


def test_rerun_without_the_media_cache_renders_identical_objects(src: Path, tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    before = snapshot(portal)
    (portal / ".kiosk" / "cache.json").unlink()
    assert publish(src, portal, KEY, NOW + timedelta(hours=1)).outcome is Outcome.UNCHANGED
    assert snapshot(portal) == before


def test_a_changed_image_writes_only_its_new_object_and_keeps_the_old_for_a_while(
    src: Path, tmp_path: Path
) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    old = verified(portal).objects()
    (src / "files" / "map.png").write_bytes(png(color=(10, 120, 60)))
    result = publish(src, portal, KEY, NOW + timedelta(hours=1))
    assert (result.outcome, result.version, result.objects_written) == (Outcome.PUBLISHED, 2, 1)
    new = verified(portal).objects()
    assert len(set(new) - set(old)) == 1
    assert all((portal / "objects" / sha).exists() for sha in old)  # grace period
    (src / "items" / "b.yaml").write_text(notice("notice-b"), encoding="utf-8")
    result = publish(src, portal, KEY, NOW + timedelta(days=4))
    assert result.objects_pruned == 1
    assert set(os.listdir(portal / "objects")) == set(verified(portal).objects())


def test_prune_removes_unreferenced_objects_at_once(src: Path, tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    (src / "files" / "map.png").write_bytes(png(color=(10, 120, 60)))
    result = publish(src, portal, KEY, NOW + timedelta(hours=1), Options(prune=True))
    assert result.objects_pruned == 1
    assert set(os.listdir(portal / "objects")) == set(verified(portal).objects())


def test_unchanged_publication_near_expiry_is_re_signed_as_a_new_version(
    src: Path, tmp_path: Path
) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    later = NOW + timedelta(days=8)
    result = publish(src, portal, KEY, later)
    assert (result.outcome, result.version, result.objects_written) == (Outcome.RENEWED, 2, 0)
    assert verified(portal).expires == later + timedelta(days=14)


def test_version_keeps_increasing_when_the_manifest_was_deleted(src: Path, tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    publish(src, portal, KEY, NOW, Options(force=True))
    (portal / "manifest.json").unlink()
    publish(src, portal, KEY, NOW + timedelta(hours=1))
    assert verified(portal).version == 3


def test_an_unreadable_existing_manifest_stops_the_run(src: Path, tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    portal.mkdir()
    (portal / "manifest.json").write_text("{not json")
    with pytest.raises(KioskError) as exc:
        publish(src, portal, KEY, NOW)
    assert exc.value.key == "publish.bad_previous"


@pytest.mark.parametrize("disclosure", ["依申请公开", "不予公开", "主动 公开"])
def test_an_item_not_marked_public_refuses_the_whole_run(
    src: Path, tmp_path: Path, disclosure: str
) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    before = snapshot(portal)
    (src / "items" / "secret.yaml").write_text(notice("secret", disclosure), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        publish(src, portal, KEY, NOW + timedelta(hours=1))
    (diag,) = exc.value.diagnostics
    assert diag.key == "publish.not_public"
    assert diag.format().startswith(f"{src / 'items' / 'secret.yaml'}:3:13: 错误:")
    assert snapshot(portal) == before


def test_an_item_without_disclosure_is_refused_and_nothing_is_written(
    src: Path, tmp_path: Path
) -> None:
    text = notice("x").replace("disclosure: 主动公开\n", "")
    (src / "items" / "x.yaml").write_text(text, encoding="utf-8")
    portal = tmp_path / "portal"
    with pytest.raises(InputError) as exc:
        publish(src, portal, KEY, NOW)
    assert [d.key for d in exc.value.diagnostics] == ["publish.missing_disclosure"]
    assert not portal.exists()


def test_skip_invalid_publishes_the_valid_items_and_reports_the_rest(
    src: Path, tmp_path: Path
) -> None:
    (src / "items" / "secret.yaml").write_text(notice("secret", "依申请公开"), encoding="utf-8")
    (src / "items" / "bomb.yaml").write_text(image_item("bomb", "../files/bomb.png"), "utf-8")
    (src / "files" / "bomb.png").write_bytes(bomb_png())
    result = publish(src, tmp_path / "portal", KEY, NOW, Options(skip_invalid=True))
    ids = {i.id for i in verified(tmp_path / "portal").items}
    assert ids == {"notice-a", "map"}
    assert {d.key for d in result.warnings} == {"publish.not_public", "media.too_many_pixels"}


def test_invalid_content_is_reported_at_file_line_and_column(src: Path, tmp_path: Path) -> None:
    bad = "id: bad\nkind: notice\ndisclosure: 主动公开\ntitel: 标题\nbody: 正文\n"
    (src / "items" / "bad.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        publish(src, tmp_path / "portal", KEY, NOW)
    lines = [d.format() for d in exc.value.diagnostics]
    assert any(line.startswith(f"{src / 'items' / 'bad.yaml'}:4:1: 错误:") for line in lines)


def test_item_ids_must_be_unique_and_well_formed(src: Path, tmp_path: Path) -> None:
    (src / "items" / "dup.yaml").write_text(notice("notice-a"), encoding="utf-8")
    (src / "items" / "Bad.yaml").write_text(notice("Bad Id"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        publish(src, tmp_path / "portal", KEY, NOW)
    assert {d.key for d in exc.value.diagnostics} == {"publish.duplicate_id", "publish.bad_id"}


# ----------------------------------------------------------------------------- media


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


def test_decompression_bomb_image_is_refused_at_publish(src: Path, tmp_path: Path) -> None:
    (src / "files" / "map.png").write_bytes(bomb_png())
    with pytest.raises(InputError) as exc:
        publish(src, tmp_path / "portal", KEY, NOW)
    (diag,) = exc.value.diagnostics
    assert diag.key == "media.too_many_pixels"
    assert diag.format().startswith(f"{src / 'items' / 'map.yaml'}:4:7: 错误:")
    assert not (tmp_path / "portal" / "manifest.json").exists()


def test_truncated_image_is_refused_at_publish(src: Path, tmp_path: Path) -> None:
    data = png(400, 300)
    (src / "files" / "map.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as exc:
        publish(src, tmp_path / "portal", KEY, NOW)
    assert [d.key for d in exc.value.diagnostics] == ["media.corrupt"]


def test_oversized_image_is_scaled_to_the_display_box(src: Path, tmp_path: Path) -> None:
    big = Image.linear_gradient("L").resize((5000, 3000)).convert("RGB")
    buf = io.BytesIO()
    big.save(buf, "JPEG")
    (src / "files" / "map.png").write_bytes(buf.getvalue())  # a JPEG named .png: content wins
    publish(src, tmp_path / "portal", KEY, NOW)
    manifest = verified(tmp_path / "portal")
    (item,) = [i for i in manifest.items if i.id == "map"]
    (ref,) = item.files
    assert (ref.name, ref.media_type) == ("map.jpg", "image/jpeg")
    assert item.meta["file"] == "map.jpg"
    with Image.open(tmp_path / "portal" / "objects" / ref.sha256) as im:
        assert im.size == (3600, 2160)


@pytest.mark.parametrize(
    "ref",
    [
        "../../outside.png",
        "/etc/outside.png",
        "../files/../../outside.png",
        "../files/escape.png",
        "..\\files\\map.png",
        "../files/missing.png",
        "../files/folder.png",
    ],
)
def test_file_references_leaving_the_source_or_not_plain_files_are_refused(
    src: Path, tmp_path: Path, ref: str
) -> None:
    (tmp_path / "outside.png").write_bytes(png())
    (src / "files" / "escape.png").symlink_to(tmp_path / "outside.png")
    (src / "files" / "folder.png").mkdir()
    (src / "items" / "map.yaml").write_text(image_item("map", ref), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        publish(src, tmp_path / "portal", KEY, NOW)
    assert [d.key for d in exc.value.diagnostics][-1] == "publish.bad_file_reference"
    assert not (tmp_path / "portal").exists()


def test_pdf_item_is_published_as_page_images_only(src: Path, tmp_path: Path) -> None:
    pages = [Image.new("L", (595, 842), 255) for _ in range(3)]
    pdf = src / "files" / "公告.pdf"
    pages[0].save(pdf, "PDF", save_all=True, append_images=pages[1:], resolution=72)
    item = "id: leaflet\nkind: pdf\ndisclosure: 主动公开\nfile: ../files/公告.pdf\ntitle: 告知书\n"
    (src / "items" / "leaflet.yaml").write_text(item, encoding="utf-8")
    publish(src, tmp_path / "portal", KEY, NOW)
    manifest = verified(tmp_path / "portal")
    (leaflet,) = [i for i in manifest.items if i.id == "leaflet"]
    names = [f.name for f in leaflet.files]
    assert names == ["公告-p01.png", "公告-p02.png", "公告-p03.png"]
    assert {f.media_type for f in leaflet.files} == {"image/png"}
    content = mf.check_items(manifest).contents["leaflet"]
    assert isinstance(content, Pdf)
    assert content.pages == tuple(names) and content.file == names[0]
    with Image.open(tmp_path / "portal" / "objects" / leaflet.files[0].sha256) as im:
        assert im.size == (2160, round(2160 * 842 / 595))


def test_image_kind_pointing_at_a_pdf_is_refused(src: Path, tmp_path: Path) -> None:
    pdf = src / "files" / "doc.pdf"
    Image.new("L", (100, 100), 255).save(pdf, "PDF")
    (src / "items" / "map.yaml").write_text(image_item("map", "../files/doc.pdf"), "utf-8")
    with pytest.raises(InputError):
        publish(src, tmp_path / "portal", KEY, NOW)


# ----------------------------------------------------------------------------- playlist


def test_a_source_playlist_is_published_with_the_content(src: Path, tmp_path: Path) -> None:
    playlist = (
        "version: 1\nentries:\n  - id: news\n    kind: notice\n    select: {category: 工作动态}\n"
    )
    (src / "playlist.yaml").write_text(playlist, encoding="utf-8")
    publish(src, tmp_path / "portal", KEY, NOW)
    manifest = verified(tmp_path / "portal")
    assert manifest.playlist is not None
    assert manifest.playlist.media_type == "application/yaml"
    stored = tmp_path / "portal" / "objects" / manifest.playlist.sha256
    assert stored.read_text(encoding="utf-8") == playlist


# ----------------------------------------------------------------------------- command


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Environment(stdout=out, stderr=err, environ={}))
    return code, out.getvalue(), err.getvalue()


def test_publish_command_reports_a_new_version_then_no_change(src: Path, tmp_path: Path) -> None:
    key = tmp_path / "demo.key"
    keys.write_keypair(key, KEY)
    portal = str(tmp_path / "portal")
    code, out, err = cli("publish", str(src), "--out", portal, "--key", str(key))
    assert (code, err) == (0, "")
    assert "已发布第 1 版" in out
    code, out, _ = cli("publish", str(src), "--out", portal, "--key", str(key))
    assert code == 0
    assert out.startswith("无变化")


def test_publish_command_lists_every_problem_and_exits_1(src: Path, tmp_path: Path) -> None:
    key = tmp_path / "demo.key"
    keys.write_keypair(key, KEY)
    (src / "items" / "s1.yaml").write_text(notice("s1", "依申请公开"), encoding="utf-8")
    (src / "items" / "s2.yaml").write_text(notice("s2", "不予公开"), encoding="utf-8")
    code, out, err = cli("publish", str(src), "--out", str(tmp_path / "p"), "--key", str(key))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert all("[publish.not_public]" in line for line in lines)


def test_publish_command_skip_invalid_counts_each_skipped_problem_once(
    src: Path, tmp_path: Path
) -> None:
    key = tmp_path / "demo.key"
    keys.write_keypair(key, KEY)
    (src / "items" / "secret.yaml").write_text(notice("secret", "依申请公开"), encoding="utf-8")
    (src / "items" / "bomb.yaml").write_text(image_item("bomb", "../files/bomb.png"), "utf-8")
    (src / "files" / "bomb.png").write_bytes(bomb_png())
    portal = str(tmp_path / "portal")
    code, out, err = cli("publish", str(src), "--out", portal, "--key", str(key), "--skip-invalid")
    assert code == 0
    assert len(err.strip().splitlines()) == 2  # the refused item and the refused image
    assert "跳过 2 处问题" in out, out


# ----------------------------------------------------------------------------- end to end


def test_demo_publication_served_on_loopback_syncs_into_a_store_the_player_can_read(
    tmp_path: Path,
) -> None:
    import threading

    from kiosk.portal_server import make_server
    from kiosk.store import read_current

    key = tmp_path / "demo.key"
    keys.write_keypair(key, KEY)
    portal = tmp_path / "portal"
    publish(REPO / "assets" / "demo", portal, KEY, datetime.now(TZ))
    server = make_server(portal, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state = tmp_path / "state"
    try:
        code, _out, err = cli(
            "sync", "--once", "--source", server.url, "--state-dir", str(state),
            "--public-key", f"{key}.pub",
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert code == 0, err
    view = read_current(state)
    assert view is not None and view.version == 1
    by_id = {i.id: i for i in view.items}
    leaflet = by_id["pdf-heating-leaflet"].content
    assert isinstance(leaflet, Pdf)
    assert len(leaflet.pages) == 2
    assert leaflet.file == leaflet.pages[0]
    for page in leaflet.pages:
        with Image.open(page) as im:
            assert im.format == "PNG"


def test_objects_are_in_place_before_the_manifest_and_the_signature_comes_last(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.publish as publish_mod

    portal = tmp_path / "portal"
    seen: list[tuple[str, set[str]]] = []
    real_write = publish_mod.write_atomic

    def spy(path: str | os.PathLike[str], data: bytes, mode: int = 0o644) -> None:
        seen.append((Path(path).name, set(os.listdir(portal / "objects"))))
        real_write(path, data, mode)

    monkeypatch.setattr(publish_mod, "write_atomic", spy)
    publish(src, portal, KEY, NOW)
    names = [name for name, _ in seen]
    assert names.index("manifest.json") < names.index("manifest.json.sig")
    objects_at_manifest = dict(seen)["manifest.json"]
    assert set(verified(portal).objects()) <= objects_at_manifest


def test_a_second_publish_into_the_same_directory_waits_its_turn(src: Path, tmp_path: Path) -> None:
    import fcntl

    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    with open(portal / ".kiosk" / "lock", "rb+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(KioskError) as exc:
            publish(src, portal, KEY, NOW, Options(force=True))
    assert exc.value.key == "publish.locked"
    assert verified(portal).version == 1


def test_publish_command_pixel_limit_is_configurable(src: Path, tmp_path: Path) -> None:
    key = tmp_path / "demo.key"
    keys.write_keypair(key, KEY)
    args = ("publish", str(src), "--out", str(tmp_path / "p"), "--key", str(key))
    code, _, err = cli(*args, "--max-pixels", "1000")
    assert code == 1
    assert "[media.too_many_pixels]" in err and "3,072" in err  # 64 × 48 declared
    code, _, err = cli(*args, "--max-pixels", "4000")
    assert (code, err) == (0, "")


def test_renaming_a_source_image_renames_it_in_the_manifest_without_new_objects(
    src: Path, tmp_path: Path
) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW)
    (src / "files" / "map.png").rename(src / "files" / "大厅.png")
    (src / "items" / "map.yaml").write_text(image_item("map", "../files/大厅.png"), "utf-8")
    (src / "items" / "copy.yaml").write_text(image_item("copy", "../files/大厅.png"), "utf-8")
    result = publish(src, portal, KEY, NOW + timedelta(hours=1))
    assert (result.version, result.objects_written) == (2, 0)
    manifest = verified(portal)
    names = {i.id: i.meta["file"] for i in manifest.items if i.kind == "image"}
    assert names == {"map": "大厅.png", "copy": "大厅.png"}


def test_a_publication_without_items_is_refused_unless_allowed(tmp_path: Path) -> None:
    src = make_source(tmp_path / "src", {"secret.yaml": notice("secret", "依申请公开")})
    with pytest.raises(KioskError) as exc:
        publish(src, tmp_path / "portal", KEY, NOW, Options(skip_invalid=True))
    assert exc.value.key == "publish.empty"
    assert not (tmp_path / "portal" / "manifest.json").exists()
    publish(src, tmp_path / "portal", KEY, NOW, Options(skip_invalid=True, allow_empty=True))
    assert verified(tmp_path / "portal").items == ()


def test_short_validity_does_not_re_sign_on_every_run(src: Path, tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    publish(src, portal, KEY, NOW, Options(expires_days=2))
    later = publish(src, portal, KEY, NOW + timedelta(hours=12), Options(expires_days=2))
    assert later.outcome is Outcome.UNCHANGED
    renewed = publish(src, portal, KEY, NOW + timedelta(hours=25), Options(expires_days=2))
    assert renewed.outcome is Outcome.RENEWED


def test_dry_run_checks_everything_and_writes_nothing(src: Path, tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    result = publish(src, portal, KEY, NOW, Options(dry_run=True))
    assert (result.dry_run, result.version, result.objects_written) == (True, 1, 1)
    assert not portal.exists()
    (src / "files" / "map.png").write_bytes(bomb_png())
    with pytest.raises(InputError):
        publish(src, portal, KEY, NOW, Options(dry_run=True))
    assert not portal.exists()


def test_publish_command_dry_run_says_so(src: Path, tmp_path: Path) -> None:
    key = tmp_path / "demo.key"
    keys.write_keypair(key, KEY)
    code, out, _ = cli("publish", str(src), "--out", str(tmp_path / "p"), "--key", str(key),
                       "--dry-run")  # fmt: skip
    assert code == 0
    assert out.startswith("试运行，未写入任何文件：将发布第 1 版")
    assert not (tmp_path / "p").exists()


def test_characters_the_screen_font_cannot_draw_are_warned_about(src: Path, tmp_path: Path) -> None:
    (src / "items" / "a.yaml").write_text(
        notice("notice-a", title="冬季防火\U0001f525提示"), "utf-8"
    )
    key = tmp_path / "demo.key"
    keys.write_keypair(key, KEY)
    code, out, err = cli("publish", str(src), "--out", str(tmp_path / "p"), "--key", str(key))
    assert code == 0 and "已发布第 1 版" in out
    assert "[font.missing_glyphs]" in err and "U+1F525" in err
