"""Command-line entry point: ``kiosk COMMAND ...``.

Each command lives in its own module under :mod:`kiosk.commands` and exposes:

* ``NAME: str`` and ``HELP: str`` (one line, shown by ``kiosk --help``),
* ``ORDER: int`` (position in the help listing),
* ``add_arguments(parser: argparse.ArgumentParser) -> None``,
* ``run(args: argparse.Namespace, env: Environment) -> int``.

``main`` maps failures to exit statuses and prints one line; program logic lives in the
commands and the modules they call.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from types import ModuleType
from typing import TextIO

from kiosk import __version__
from kiosk.clock import Clock, SystemClock
from kiosk.diagnostics import InputError
from kiosk.errors import KioskError, UsageError


@dataclass
class Environment:
    """What a command may touch: streams and environment variables. Tests swap it."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    #: Builds the clock a command reads "now" from, given the configured time zone; tests
    #: pass ``lambda tz: FakeClock(...)`` so that commands run at a fixed instant.
    clock: Callable[[tzinfo | str], Clock] = SystemClock
    verbose: bool = False
    lang: str = "zh"

    def out(self, line: str = "") -> None:
        print(line, file=self.stdout)

    def err(self, line: str) -> None:
        print(line, file=self.stderr)


def _command_modules() -> list[ModuleType]:
    import kiosk.commands as pkg

    mods = [
        importlib.import_module(f"{pkg.__name__}.{info.name}")
        for info in pkgutil.iter_modules(pkg.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.NAME))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options accepted both before and after the command name."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="config file (default: $KIOSK_CONFIG, then /etc/kiosk/kiosk.yaml, "
        "then built-in demo defaults)",
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", default=default, help="more detail on errors"
    )
    parser.add_argument(
        "--lang", choices=("zh", "en"), default=default, help="language of messages (default zh)"
    )


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = _Parser(prog="kiosk", description="政务公开电子屏控制程序 (lobby display controller)")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    _common_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands: dict[str, ModuleType] = {}
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        _common_options(p, top=False)
        mod.add_arguments(p)
        commands[mod.NAME] = mod
    return parser, commands


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    env = env or Environment()
    try:
        parser, commands = build_parser()
        args = parser.parse_args(argv)
        env.verbose = bool(args.verbose)
        env.lang = args.lang or env.environ.get("KIOSK_LANG", "zh")
        if not args.command:
            parser.print_help(env.stdout)
            return 2
        return int(commands[args.command].run(args, env))
    except InputError as exc:
        for d in exc.diagnostics:
            env.err(d.format(env.lang))
        return 1
    except KioskError as exc:
        env.err(f"kiosk: {exc}")
        if env.verbose:
            env.err(traceback.format_exc())
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: one line, details only with --verbose
        env.err(f"kiosk: 内部错误 (internal error): {type(exc).__name__}: {exc}")
        if env.verbose:
            env.err(traceback.format_exc())
        else:
            env.err("kiosk: 加 --verbose 查看详情 (rerun with --verbose for details)")
        return 70
