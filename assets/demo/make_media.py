"""Regenerate the demo publication's image and PDF (committed; run only to change them).

    .venv/bin/python assets/demo/make_media.py

Draws with Pillow and the Noto CJK fonts from Debian's fonts-noto-cjk (face 2, Simplified
Chinese). The outputs are committed so the demo does not depend on this script.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
NOTO = Path("/usr/share/fonts/opentype/noto")
SC = 2  # Simplified Chinese face in the .ttc

INK = (33, 37, 41)
RED = (170, 28, 36)
BLUE = (30, 78, 140)
PAPER = (250, 248, 242)
LINE = (120, 120, 120)


def font(size: int, bold: bool = False, serif: bool = False) -> ImageFont.FreeTypeFont:
    name = ("NotoSerifCJK" if serif else "NotoSansCJK") + ("-Bold" if bold else "-Regular")
    return ImageFont.truetype(str(NOTO / f"{name}.ttc"), size, index=SC)


def centred(d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str, f, fill) -> None:
    x0, y0, x1, y1 = box
    w = d.textlength(text, font=f)
    asc, desc = f.getmetrics()
    d.text((x0 + (x1 - x0 - w) / 2, y0 + (y1 - y0 - asc - desc) / 2), text, font=f, fill=fill)


def hall_map() -> Image.Image:
    """一楼便民服务大厅示意图: a floor plan of the service hall."""
    W, H = 1600, 960
    im = Image.new("RGB", (W, H), PAPER)
    d = ImageDraw.Draw(im)
    centred(d, (0, 20, W, 100), "红花尔基镇人民政府一楼便民服务大厅示意图", font(44, True), INK)
    d.rectangle((80, 130, W - 80, H - 170), outline=INK, width=6)
    windows = [
        ("1号窗口", "社会保障"),
        ("2号窗口", "民政救助"),
        ("3号窗口", "农牧业服务"),
        ("4号窗口", "政务公开咨询"),
        ("5号窗口", "综合受理"),
    ]
    ww = (W - 160 - 60) // len(windows)
    for i, (num, what) in enumerate(windows):
        x = 110 + i * ww
        fill = (255, 236, 214) if i == 3 else (228, 238, 250)
        d.rounded_rectangle((x, 160, x + ww - 20, 330), 16, fill=fill, outline=BLUE, width=3)
        centred(d, (x, 175, x + ww - 20, 235), num, font(36, True), BLUE)
        centred(d, (x, 245, x + ww - 20, 310), what, font(26), INK)
    d.rectangle((110, 400, 560, 560), fill=(236, 236, 236), outline=LINE, width=3)
    centred(d, (110, 400, 560, 480), "政务公开栏", font(34, True), INK)
    centred(d, (110, 475, 560, 545), "公告公示 · 办事指南", font(26), INK)
    d.rectangle((640, 400, 1040, 560), fill=(32, 40, 56), outline=INK, width=3)
    centred(d, (640, 400, 1040, 480), "电子显示屏", font(34, True), (255, 255, 255))
    centred(d, (640, 475, 1040, 545), "您正在看的屏幕", font(26), (220, 220, 220))
    d.rectangle((1120, 400, 1490, 560), fill=(240, 246, 236), outline=LINE, width=3)
    centred(d, (1120, 400, 1490, 480), "休息等候区", font(34, True), INK)
    centred(d, (1120, 475, 1490, 545), "饮水 · 老花镜 · 轮椅", font(26), INK)
    # entrance
    d.rectangle((W // 2 - 150, H - 176, W // 2 + 150, H - 164), fill=PAPER)
    d.polygon([(W // 2, H - 260), (W // 2 - 40, H - 200), (W // 2 + 40, H - 200)], fill=RED)
    centred(d, (W // 2 - 200, H - 160, W // 2 + 200, H - 100), "大门入口", font(34, True), RED)
    d.text(
        (90, H - 70),
        "办公时间：工作日 8:30—12:00  14:30—17:30    咨询电话：0470-8942932",
        font=font(26),
        fill=INK,
    )
    return im


def leaflet_pages() -> list[Image.Image]:
    """A two-page A4 leaflet at 100 dpi: 冬季供暖服务告知书."""
    W, H = 827, 1169
    title = font(34, True, serif=True)
    head = font(24, True)
    body = font(21)
    pages: list[Image.Image] = []
    texts = [
        [
            ("t", "红花尔基镇2026—2027年度"),
            ("t", "冬季供暖服务告知书"),
            ("s", ""),
            ("h", "一、供暖期"),
            ("p", "本年度供暖期为2026年10月10日至2027年5月10日，"),
            ("p", "室内温度不低于18℃。"),
            ("h", "二、报修方式"),
            ("p", "暖气不热、跑冒滴漏，请拨打供热服务热线"),
            ("p", "0470-8942932（工作日），夜间及节假日请拨打"),
            ("p", "值班电话，工作人员将在2小时内上门查看。"),
            ("h", "三、安全提示"),
            ("p", "1. 请勿私自改装暖气管道或加装循环泵；"),
            ("p", "2. 请勿在暖气片上烘烤衣物等易燃物品；"),
            ("p", "3. 长期外出请关好门窗，防止管道冻裂。"),
        ],
        [
            ("t", "困难群众取暖补贴"),
            ("s", ""),
            ("h", "一、补贴对象"),
            ("p", "辖区内城乡低保户、特困供养人员和"),
            ("p", "低收入家庭。"),
            ("h", "二、申请材料"),
            ("p", "1. 居民身份证、户口簿复印件；"),
            ("p", "2. 低保证或特困供养证明。"),
            ("h", "三、办理地点"),
            ("p", "镇政府一楼便民服务大厅2号窗口（民政救助）。"),
            ("s", ""),
            ("p", "　　　　　　　　　　　红花尔基镇人民政府"),
            ("p", "　　　　　　　　　　　　2026年10月8日"),
        ],
    ]
    for n, lines in enumerate(texts, start=1):
        im = Image.new("L", (W, H), 255)
        d = ImageDraw.Draw(im)
        d.rectangle((60, 60, W - 60, 70), fill=0)
        y = 110
        for role, text in lines:
            if role == "t":
                centred(d, (0, y, W, y + 56), text, title, 0)
                y += 60
            elif role == "h":
                y += 14
                d.text((90, y), text, font=head, fill=0)
                y += 44
            elif role == "s":
                y += 24
            else:
                d.text((90, y), text, font=body, fill=0)
                y += 38
        centred(d, (0, H - 100, W, H - 60), f"第 {n} 页 共 {len(texts)} 页", font(18), 0)
        pages.append(im)
    return pages


def main() -> None:
    FILES.mkdir(exist_ok=True)
    hall_map().save(FILES / "service-hall-map.png", optimize=True)
    pages = leaflet_pages()
    pages[0].save(
        FILES / "heating-leaflet.pdf",
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=100,
        title="冬季供暖服务告知书",
    )
    for p in sorted(FILES.iterdir()):
        print(f"{p.relative_to(HERE)}: {p.stat().st_size} bytes")


if __name__ == "__main__":
    main()
