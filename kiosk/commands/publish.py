"""``kiosk publish SRC_DIR --out PORTAL_DIR --key KEYFILE``: build a signed publication."""

from __future__ import annotations

import argparse
import re

from kiosk.cli import Environment
from kiosk.diagnostics import Diagnostic
from kiosk.errors import UsageError

NAME = "publish"
HELP = "发布内容：校验条目、处理图片和 PDF、签名清单 (publish a signed portal publication)"
ORDER = 60

MiB = 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "src", metavar="SRC_DIR", help="发布源目录（items/*.yaml 等） (publication source)"
    )
    parser.add_argument(
        "--out", metavar="PORTAL_DIR", required=True, help="门户发布目录 (portal directory)"
    )
    parser.add_argument(
        "--key",
        metavar="KEYFILE",
        required=True,
        help="签名私钥（kiosk keygen 生成） (Ed25519 private key)",
    )
    parser.add_argument(
        "--expires-days",
        type=float,
        metavar="N",
        help="清单有效天数，默认取 publication.yaml，否则 14 (validity in days)",
    )
    parser.add_argument(
        "--renew-days",
        type=float,
        default=7.0,
        metavar="N",
        help="内容未变但有效期不足 N 天时重新签名，默认 7 (re-sign threshold)",
    )
    parser.add_argument(
        "--grace-days",
        type=float,
        default=3.0,
        metavar="N",
        help="不再引用的文件保留 N 天，供正在同步的设备下载，默认 3 (grace days)",
    )
    parser.add_argument("--prune", action="store_true", help="立即删除不再引用的文件 (prune now)")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="只发布合格的条目，跳过有错的（默认整批拒绝） (skip invalid items)",
    )
    parser.add_argument(
        "--force", action="store_true", help="内容未变也发布新版本 (force a new version)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="只检查和试处理，报告将发布什么，不写任何文件 (dry run)",
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="允许发布空内容（会清空所有屏幕的内容） (allow empty)",
    )
    parser.add_argument(
        "--no-font-check",
        action="store_true",
        help="不检查屏幕字体能否显示每个字 (skip glyph check)",
    )
    parser.add_argument(
        "--max-pixels",
        type=int,
        metavar="N",
        help="拒绝像素数超过 N 的图片，默认 64000000 (pixel limit)",
    )
    parser.add_argument(
        "--max-size",
        metavar="LONGxSHORT",
        help="图片和 PDF 页缩放到的最大尺寸，默认 3840x2160 (max display size)",
    )


def _limits(args: argparse.Namespace) -> object:
    from kiosk.media import MediaLimits

    limits = MediaLimits()
    if args.max_pixels is not None:
        if args.max_pixels < 1:
            raise UsageError("kiosk publish: --max-pixels 应为正整数 (must be positive)")
        limits = MediaLimits(**{**limits.__dict__, "max_pixels": args.max_pixels})
    if args.max_size:
        m = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", args.max_size)
        if not m:
            raise UsageError("kiosk publish: --max-size 格式为 3840x2160 (format LONGxSHORT)")
        a, b = int(m.group(1)), int(m.group(2))
        limits = MediaLimits(**{**limits.__dict__, "max_long": max(a, b), "max_short": min(a, b)})
    return limits


def run(args: argparse.Namespace, env: Environment) -> int:
    from kiosk import keys
    from kiosk.clock import DEFAULT_TIMEZONE
    from kiosk.publish import Options, Outcome, publish

    for name in ("expires_days", "renew_days", "grace_days"):
        value = getattr(args, name)
        if value is not None and not 0 <= value <= 3660:
            raise UsageError(f"kiosk publish: --{name.replace('_', '-')} 超出范围 (out of range)")
    if args.expires_days is not None and args.expires_days <= 0:
        raise UsageError("kiosk publish: --expires-days 应大于 0 (must be positive)")
    font_check = None
    if not args.no_font_check:
        # the same glyph check as `kiosk validate`, over the configured screen fonts
        from kiosk.commands.validate import _font_check
        from kiosk.config import load_config

        font_problems: list[Diagnostic] = []
        font_check = _font_check(load_config(args.config, env.environ), font_problems)
        for d in font_problems:
            env.err(d.format(env.lang))
    options = Options(
        expires_days=args.expires_days,
        renew_days=args.renew_days,
        grace_days=args.grace_days,
        prune=args.prune,
        skip_invalid=args.skip_invalid,
        force=args.force,
        allow_empty=args.allow_empty,
        dry_run=args.dry_run,
        font_check=font_check,
        limits=_limits(args),  # type: ignore[arg-type]
    )
    private_key = keys.load_private_key(args.key)
    now = env.clock(DEFAULT_TIMEZONE).now()
    result = publish(args.src, args.out, private_key, now, options)
    for d in result.warnings:
        env.err(d.format(env.lang))
    en = env.lang == "en"
    expires = result.expires.strftime("%Y-%m-%d %H:%M %z") if result.expires else "?"
    size = f"{result.bytes_written / MiB:.1f} MiB"
    if result.dry_run:
        if result.outcome is Outcome.UNCHANGED:
            zh = f"第 {result.version} 版无变化"
            text = f"version {result.version} unchanged"
        else:
            zh = (
                f"将发布第 {result.version} 版：{result.items} 个条目，"
                f"新对象 {result.objects_written} 个（{size}）"
            )
            text = (
                f"would publish version {result.version}: {result.items} items, "
                f"{result.objects_written} new objects ({size})"
            )
        prefix = "dry run, nothing written: " if en else "试运行，未写入任何文件："
        env.out(f"{prefix}{text if en else zh} [publish.dry_run]")
        return 0
    if result.outcome is Outcome.UNCHANGED:
        env.out(
            f"unchanged: version {result.version} stays current (expires {expires}); "
            "nothing written [publish.unchanged]"
            if en
            else f"无变化：第 {result.version} 版仍然有效（有效期至 {expires}），未写入任何文件"
            " [publish.unchanged]"
        )
        return 0
    # every skipped item (invalid source or refused media) has its error among the warnings
    skipped = sum(1 for d in result.warnings if d.is_error)
    if en:
        verb = (
            "re-signed unchanged content as" if result.outcome is Outcome.RENEWED else "published"
        )
        env.out(
            f"{verb} version {result.version}: {result.items} items, {result.objects_written} "
            f"new objects ({size}) of {result.objects_total}, {result.objects_pruned} pruned; "
            f"expires {expires}"
            + (f"; {skipped} problems skipped" if skipped else "")
            + " [publish.ok]"
        )
    else:
        verb = "内容无变化，已续签为" if result.outcome is Outcome.RENEWED else "已发布"
        env.out(
            f"{verb}第 {result.version} 版：{result.items} 个条目，新写入 {result.objects_written} "
            f"个对象（{size}），共 {result.objects_total} 个，清理 {result.objects_pruned} 个；"
            f"有效期至 {expires}"
            + (f"；跳过 {skipped} 处问题" if skipped else "")
            + " [publish.ok]"
        )
    return 0
