"""The ``uat`` command line.

Core sub-commands live in ``uat/cli/_<name>.py``; sub-commands of the ``constructions`` and
``verification`` packages (``build``, ``verify``) arrive through the ``uat.commands``
entry-point group, so that the core never imports those packages (see
docs/architecture.md).  Every error on bad input exits with status 2 and one line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib.metadata import entry_points
from typing import Sequence

from ..errors import UatError

__all__ = ["main", "UatArgumentParser"]

_CORE_COMMANDS = ("bounds", "show", "export", "demo")


class UatArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2) instead of usage dumps."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _plugin_failure(name: str, exc: BaseException):
    def run(args: argparse.Namespace) -> int:
        print(f"uat {name}: error: the '{name}' command could not be loaded ({exc})", file=sys.stderr)
        return 2

    return run


def build_parser() -> UatArgumentParser:
    from .. import __version__

    parser = UatArgumentParser(
        prog="uat",
        description="Constructive minimum-width universal approximation: theorems, witnesses, verifiers.",
    )
    parser.add_argument("--version", action="version", version=f"uat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=UatArgumentParser)
    sub.required = True
    for name in _CORE_COMMANDS:
        try:
            module = importlib.import_module(f"._{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}._{name}":
                continue  # command not available in this build
            raise
        module.register(sub)
    for ep in sorted(entry_points(group="uat.commands"), key=lambda e: e.name):
        try:
            ep.load()(sub)
        except Exception as exc:  # a broken plugin must not break the other commands
            p = sub.add_parser(ep.name, help=f"(unavailable: {exc})")
            p.set_defaults(func=_plugin_failure(ep.name, exc))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``uat`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.func(args)
    except UatError as exc:
        print(f"uat {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (OSError) as exc:
        print(f"uat {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("uat: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
