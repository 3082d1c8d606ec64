"""``kiosk keygen --out KEYFILE``: make an Ed25519 key pair for signing publications."""

from __future__ import annotations

import argparse

from kiosk.cli import Environment

NAME = "keygen"
HELP = "生成发布签名密钥对 (generate an Ed25519 signing key pair)"
ORDER = 60


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        required=True,
        metavar="KEYFILE",
        help="私钥文件（权限 0600）；公钥写入 KEYFILE.pub (private key file)",
    )
    parser.add_argument("--force", action="store_true", help="覆盖已有的私钥文件 (overwrite)")


def run(args: argparse.Namespace, env: Environment) -> int:
    from kiosk import keys  # cryptography: loaded by the commands that sign, not by the CLI

    key = keys.generate()
    key_id = keys.write_keypair(args.out, key, force=args.force)
    env.out(f"已生成密钥 (key generated): {args.out}  公钥 (public key): {args.out}.pub")
    env.out(f"key_id: {key_id}")
    return 0
