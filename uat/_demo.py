"""``uat demo``: the main job on built-in defaults.

The core prints the theorem catalogue and a small hand-written network.  Witnesses come
from plugins in the ``uat.demo`` entry-point group (the ``constructions`` package), and are
measured by the plugin in the ``uat.verifier`` group (the ``verification`` package); the core
never imports either package.  Each witness is summarised in one table row: theorem,
width vs minimum, depth, parameters, error, certified or not.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Callable, Iterable, TextIO

__all__ = ["DemoCase", "DemoMeasurement", "run_demo"]


@dataclass(frozen=True)
class DemoCase:
    """One witness for the demo table.

    ``target`` is whatever the verifier accepts (an expression string, a named target, a
    Target value); ``norm`` is ``"lp"`` or ``"sup"`` (or a family-specific norm such as
    ``"sequence-sup"``).  ``minimum`` is the theorem's width as text (e.g. ``"2"`` or
    ``"[3, 4]"``).
    """

    title: str
    theorem: str
    network: Any
    target: Any
    domain: Any
    norm: str
    eps: float
    p: float | None = None
    minimum: str = "?"
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoMeasurement:
    value: float
    certified: bool
    method: str
    passed: bool


def _load_group(group: str) -> list[tuple[str, Callable[..., Any]]]:
    out = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        out.append((ep.name, ep.load()))
    return out


def _fmt_err(x: float) -> str:
    return f"{x:.3e}"


def run_demo(out: TextIO, *, quick: bool = False) -> int:
    """Print the catalogue, a hand-written network, and the table of verified witnesses."""
    from .theorems import catalogue_text
    from .network import FeedForward

    print("== uat: the theorem catalogue ==", file=out)
    print(catalogue_text(), file=out)
    print(file=out)
    print("== A hand-written network: the hat function on [0,1] (width 2) ==", file=out)
    hat = FeedForward.from_layers(
        [([[2], [4]], [0, -2], "relu"), ([[1, -1]], [0], "identity")],
        metadata={"description": "hat(x) = 2 relu(x) - 4 relu(x - 1/2)"},
    )
    print(f"  {hat!r}", file=out)
    pts = [["0"], ["1/4"], ["1/2"], ["3/4"], ["1"]]
    vals = hat.evaluate_exact(pts)
    print("  exact values: " + ", ".join(f"hat({p[0]}) = {v[0]}" for p, v in zip(pts, vals)), file=out)
    print(file=out)

    verifiers = _load_group("uat.verifier")
    providers = _load_group("uat.demo")
    if not providers or not verifiers:
        print("(no witness providers or verifier installed)", file=out)
        return 0
    _, measure = verifiers[0]
    rows = []
    failures = 0
    for name, provider in providers:
        for case in provider(quick=quick):
            t0 = time.perf_counter()
            m = measure(case)
            dt = time.perf_counter() - t0
            failures += 0 if m.passed else 1
            net = case.network
            rows.append(
                (
                    case.title,
                    case.theorem,
                    f"{net.width} / {case.minimum}",
                    str(net.depth),
                    str(net.n_params),
                    f"{case.norm}{'' if case.p is None else f' p={case.p:g}'}",
                    _fmt_err(m.value),
                    f"{case.eps:g}",
                    "yes" if m.certified else "no",
                    "ok" if m.passed else "FAIL",
                    f"{dt:.1f}s",
                )
            )
    header = ("witness", "theorem", "width/min", "depth", "params", "norm", "error", "eps", "certified", "verdict", "verify")
    print("== Witnesses: built, verified, summarised ==", file=out)
    print(_table(header, rows), file=out)
    return 1 if failures else 0


def _table(header: Iterable[str], rows: list[tuple[str, ...]]) -> str:
    header = tuple(header)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join([line, sep, *body])
