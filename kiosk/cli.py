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
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from types import ModuleType
from typing import Any, TextIO

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
    #: The effective user id (tests pretend to be root).
    euid: Callable[[], int] = os.geteuid
    verbose: bool = False
    lang: str = "zh"

    def out(self, line: str = "") -> None:
        print(line, file=self.stdout)

    def err(self, line: str) -> None:
        print(line, file=self.stderr)


def refuse_root_in_foreign_state_dir(state_dir: str | os.PathLike[str], env: Environment) -> None:
    """Root writing into a state directory that belongs to the service user (``sudo kiosk sync
    --once`` instead of ``sudo -u kiosk …``) leaves root-owned generations, locks and logs
    that the services can then neither replace nor remove: refuse, in one line. (Commands that
    only rename a small file into place — ``power``, ``screenshot`` — need no such check: the
    owner of the directory can replace those.)"""
    if env.euid() != 0:
        return
    try:
        owner = os.stat(state_dir).st_uid
    except OSError:
        return  # not there yet: whoever creates it owns it
    if owner == 0:
        return
    try:
        import pwd

        name = pwd.getpwuid(owner).pw_name
    except (KeyError, ImportError):
        name = f"'#{owner}'"  # sudo -u takes a numeric uid this way
    raise KioskError(
        f"{state_dir} 属于用户 {name}，请以该用户运行，例如 sudo -u {name} kiosk …；"
        f"以 root 写入的文件后台服务将无法再修改 (run as the state directory's owner, not root)",
        key="state.owner",
    )


def _command_modules() -> list[ModuleType]:
    import kiosk.commands as pkg

    mods = [
        importlib.import_module(f"{pkg.__name__}.{info.name}")
        for info in pkgutil.iter_modules(pkg.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.NAME))


def _display_width(text: str) -> int:
    """Columns a terminal gives ``text``: CJK and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_TOKEN = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s+"
)
_NO_LINE_START = frozenset("，。、；：？！）》」』”’,.;:?!)")


def wrap_columns(text: str, width: int) -> list[str]:
    """Wrap mixed Chinese/English help text to ``width`` terminal columns: Chinese may
    break between any two characters (not before closing punctuation), English between
    words."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(" ".join(text.split())):
        if token.isspace():
            if line:
                line += " "
            continue
        if line and _display_width(line + token) > width and token[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class _HelpFormatter(argparse.HelpFormatter):
    """Chinese headings and wrapping by terminal columns (CJK characters are two wide)."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def _format_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None,
    ) -> str:
        text = super()._format_usage(usage, actions, groups, prefix)
        pad = " " * (_display_width(prefix) - len(prefix)) if prefix else ""
        return "\n".join(
            pad + ln if i and ln.startswith(" ") else ln for i, ln in enumerate(text.split("\n"))
        )

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_columns(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_columns(text, width - len(indent)))


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示本帮助并退出 (show this help and exit)"

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {_usage_message_zh(message)}")


_USAGE_ZH = (
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数 {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "不认识的参数 {0}"),
    (
        re.compile(r"argument (\S+): invalid choice: (\S+) \(choose from (.+)\)"),
        "参数 {0} 不能是 {1}（可选：{2}）",
    ),
    (re.compile(r"argument (\S+): invalid int value: (.+)"), "参数 {0} 应为整数，不能是 {1}"),
    (re.compile(r"argument (\S+): invalid float value: (.+)"), "参数 {0} 应为数字，不能是 {1}"),
    (re.compile(r"argument (\S+): invalid \w+ value: (.+)"), "参数 {0} 的值 {1} 不对"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面要写一个值"),
)


def _usage_message_zh(message: str) -> str:
    """argparse's usage errors in Chinese, the English kept after it for searching."""
    for pattern, zh in _USAGE_ZH:
        m = pattern.fullmatch(message)
        if m:
            return f"{zh.format(*m.groups())} ({message})"
    return message


def _common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options accepted both before and after the command name."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="设备配置文件；不写时依次找环境变量 $KIOSK_CONFIG、/etc/kiosk/kiosk.yaml，"
        "都没有则用内置的演示设置 (config file)",
    )
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=default,
        help="出错时显示详细信息 (more detail on errors)",
    )
    parser.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=default,
        help="提示信息的语言：zh 中文（默认）、en 英文 (language of messages)",
    )


def _nested_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    return [
        sub
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for sub in action.choices.values()
    ]


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = _Parser(prog="kiosk", description="政务公开电子屏控制程序 (lobby display controller)")
    parser.add_argument(
        "--version",
        action="version",
        version=f"kiosk {__version__}",
        help="显示版本号并退出 (show the version and exit)",
    )
    _common_options(parser, top=True)
    sub = parser.add_subparsers(
        dest="command",
        metavar="COMMAND",
        parser_class=_Parser,
        help="要执行的命令；“kiosk 命令 --help”显示该命令的用法",
    )
    commands: dict[str, ModuleType] = {}
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        _common_options(p, top=False)
        mod.add_arguments(p)
        for nested in _nested_parsers(p):  # e.g. `kiosk portal serve DIR --verbose`
            _common_options(nested, top=False)
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
