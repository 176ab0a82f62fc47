"""``uat build NAME ...``: build a witness and write it as a JSON witness file.

Each registered construction is a sub-command with the common options below plus its
own (``uat build NAME --help``).  Building is deterministic: the same call writes
byte-identical files.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from typing import Any, Callable, Sequence

import uat
from uat.errors import ParameterError

from ._registry import build, registered


def _param(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    k, v = text.split("=", 1)
    return k.strip(), v.strip()


def _value(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def add_common_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options every ``uat build NAME`` sub-command shares (output, target, domain, dims, eps, p).

    Parameters
    ----------
    p : argparse.ArgumentParser
        The sub-command's parser; construction-specific options are added after these by the
        spec's ``add_arguments``.
    """
    p.add_argument("--out", "-o", required=True, help="the witness file to write (JSON)")
    p.add_argument("--target", help="target: an expression such as 'sin(2*pi*x1)*x2', or a library name")
    p.add_argument("--domain", help="domain box, e.g. '[0,1]^2' or '[-1,1]x[0,2]' (default [0,1]^dx)")
    p.add_argument("--dx", type=int, help="input dimension (default: from the target)")
    p.add_argument("--dy", type=int, help="output dimension (default: from the target)")
    p.add_argument("--eps", type=float, help="requested accuracy epsilon")
    p.add_argument("--p", type=float, help="the L^p exponent (L^p constructions)")
    p.add_argument("--param", action="append", type=_param, default=[], metavar="KEY=VALUE",
                   help="override a construction parameter (repeatable), e.g. --param bits=6")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", action="store_true", help="always show progress (default: on a terminal only)")
    g.add_argument("--quiet", action="store_true", help="never show progress")


def default_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Builder keywords from the common options: ``target``, ``domain``, ``input_dim`` (``--dx``),
    ``output_dim`` (``--dy``), ``eps``, ``p``, and every ``--param KEY=VALUE`` (numbers parsed).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line of one ``uat build NAME`` call.

    Returns
    -------
    dict
        Keywords for :func:`constructions.build`; options left unset are omitted, so the
        builder's own defaults apply.
    """
    kw: dict[str, Any] = {}
    if args.target is not None:
        kw["target"] = args.target
    for src, dst in (("domain", "domain"), ("dx", "input_dim"), ("dy", "output_dim"), ("eps", "eps"), ("p", "p")):
        v = getattr(args, src, None)
        if v is not None:
            kw[dst] = v
    for k, v in args.param:
        kw[k] = _value(v)
    return kw


def options_from_args(*options: str, flags: Sequence[str] = (),
                      defaults: Sequence[str] = ()) -> Callable[[argparse.Namespace], dict[str, Any]]:
    """A spec's ``from_args``: :func:`default_from_args` plus the construction's own CLI options.

    Parameters
    ----------
    *options : str
        Options copied to the builder keyword of the same name when given; they take
        precedence over ``--param`` of that name.
    flags : sequence of str
        ``store_true`` options, passed as ``True`` when set (left to the builder otherwise).
    defaults : sequence of str
        Options with a CLI default (always set); a ``--param`` of the same name wins over them.

    Returns
    -------
    callable
        ``from_args(args) -> dict`` for :class:`~constructions.ConstructionSpec`.

    Examples
    --------
    >>> ns = argparse.Namespace(target="x1", param=[("bits", "3")], T=4, seed=None, whole=True, alpha="1/4")
    >>> options_from_args("T", "seed", flags=("whole",), defaults=("alpha",))(ns)
    {'target': 'x1', 'bits': 3, 'T': 4, 'whole': True, 'alpha': '1/4'}
    """

    def from_args(args: argparse.Namespace) -> dict[str, Any]:
        kw = default_from_args(args)
        for key in options:
            value = getattr(args, key, None)
            if value is not None:
                kw[key] = value
        for key in flags:
            if getattr(args, key, False):
                kw[key] = True
        for key in defaults:
            kw.setdefault(key, getattr(args, key))
        return kw

    return from_args


def register(sub: Any) -> None:
    """Add ``uat build`` with one sub-command per registered construction to the CLI's sub-parsers.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``uat`` command's sub-parsers.
    """
    p = sub.add_parser("build", help="build a witness network", description=__doc__)
    inner = p.add_subparsers(dest="construction", metavar="CONSTRUCTION", parser_class=type(p))
    inner.required = True
    for spec in registered():
        q = inner.add_parser(spec.name, help=spec.summary, description=f"{spec.summary} (theorem {spec.theorem})")
        add_common_arguments(q)
        if spec.add_arguments is not None:
            spec.add_arguments(q)
        q.set_defaults(func=run, spec=spec)


def refuse_foreign_options(spec: Any, kw: dict[str, Any], p: Any = None) -> None:
    """Refuse, in one line, an option the construction does not take (``--p`` outside L^p, unknown ``--param``).

    ``--p`` is a common option, so every construction's parser accepts it; only the L^p
    constructions use it (several uniform builders accept ``p`` and ignore it), so it is refused
    for every other norm.  A keyword the builder's signature lacks is refused with the list of
    the ones it takes.

    Parameters
    ----------
    spec : ConstructionSpec
        The construction.
    kw : dict
        The builder keywords from the command line.
    p : float, optional
        The ``--p`` value (a spec's ``from_args`` may drop it).

    Raises
    ------
    ParameterError
        The first foreign option.
    """
    p = kw.get("p", p)
    if p is not None and spec.norm != "lp":
        raise ParameterError(f"{spec.name} is not an L^p construction (its norm: {spec.norm}), so --p {p:g} does not "
                             "apply; drop --p")
    params = inspect.signature(spec.builder).parameters
    if any(v.kind is inspect.Parameter.VAR_KEYWORD for v in params.values()):
        return
    takes = sorted(k for k, v in params.items() if v.kind is inspect.Parameter.KEYWORD_ONLY and k != "progress")
    for key in kw:
        if key not in params:
            raise ParameterError(f"{spec.name} takes no parameter {key!r} (--param {key}=... or --{key}); "
                                 f"it takes: {', '.join(takes)}")


def run(args: argparse.Namespace) -> int:
    """Build the witness of ``uat build NAME ...`` and write it to ``--out``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (``args.spec`` is the construction).

    Returns
    -------
    int
        The exit code, 0 (errors propagate as :class:`uat.errors.UatError` for the CLI to report).
    """
    spec = args.spec
    kw = spec.from_args(args) if spec.from_args is not None else default_from_args(args)
    kw["progress"] = "force" if args.progress else ("quiet" if args.quiet else "auto")
    target = kw.pop("target", None)
    refuse_foreign_options(spec, kw, args.p)
    try:
        result = build(spec.name, target, **kw)
    except TypeError as exc:  # a parameter the builder does not know
        raise ParameterError(f"{spec.name}: {exc}") from None
    uat.save(result.network, args.out)
    notes = result.notes or ""
    if notes.startswith("WARNING"):  # a witness kept against eps (explicit parameters): say so, not only in the file
        print(f"{spec.name}: {notes.split('; ')[0]}", file=sys.stderr)
    net = result.network
    pred = "" if result.predicted_error is None else f", predicted error <= {result.predicted_error:.3g}"
    print(
        f"{spec.name}: width {net.width}, depth {net.depth}, {net.n_params} parameters{pred} -> {args.out}",
        file=sys.stdout,
    )
    return 0
