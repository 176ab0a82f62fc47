"""Pictures of an approximation: target, network and error (matplotlib is imported lazily).

* one input: target and network on one axis with the breakpoints as ticks, and the error
  :math:`\\|f - N\\|_2` below it with the worst point and the certified bound marked;
* two inputs: the error as a heat map with the linear regions' edges (when there are not
  too many to draw) and the worst point marked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from uat.errors import DimensionMismatch

from ._result import ErrorEstimate
from ._validate import ensure_domain, ensure_network, ensure_target, forward, target_values
from .pieces import linear_pieces_1d, supports_pieces
from .regions import linear_regions_2d

__all__ = ["plot_error"]

_MAX_DRAWN_REGIONS = 4000


def _pyplot():
    import matplotlib.pyplot as plt  # lazily: `import verification` stays light

    return plt


def plot_error(net: Any, target: Any, domain: Any = None, *, result: ErrorEstimate | None = None,
               out: str | None = None, title: str | None = None, n: int = 2001):
    """Draw target, network and error; save to ``out`` (PNG) when given; return the figure."""
    net = ensure_network(net)
    tgt = ensure_target(target, net)
    box = ensure_domain(domain, net, tgt)
    plt = _pyplot()
    if net.input_dim == 1:
        fig = _plot_1d(plt, net, tgt, box, result, n)
    elif net.input_dim == 2:
        fig = _plot_2d(plt, net, tgt, box, result, int(np.sqrt(n) * 6))
    else:
        raise DimensionMismatch(f"plots are drawn for one or two inputs; this network has {net.input_dim}")
    if title is None and result is not None:
        title = result.describe()
        if len(title) > 110:
            title = title[:107] + "..."
    if title:
        fig.suptitle(title, fontsize=8)
    if out is not None:
        fig.savefig(out, dpi=120)
        plt.close(fig)
    return fig


def _plot_1d(plt, net, tgt, box, result, n):
    a, b = float(box.lo[0]), float(box.hi[0])
    x = np.linspace(a, b, n)
    breaks = None
    if supports_pieces(net):
        pcs = linear_pieces_1d(net, box.lo[0], box.hi[0])
        breaks = np.asarray(pcs.breakpoints, dtype=float)
        x = np.unique(np.concatenate([x, breaks]))
    fx, nx = target_values(tgt, x[:, None]), forward(net, x[:, None])
    err = np.linalg.norm(fx - nx, axis=1)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    for k in range(fx.shape[1]):
        sfx = "" if fx.shape[1] == 1 else f"$_{k + 1}$"
        ax1.plot(x, fx[:, k], color="C0", lw=1.5, label=f"target f{sfx}" if k < 2 else None)
        ax1.plot(x, nx[:, k], color="C1", lw=1.0, ls="--", label=f"network N{sfx}" if k < 2 else None)
    if breaks is not None and breaks.size <= 2000:
        ax1.plot(breaks, np.full(breaks.size, ax1.get_ylim()[0]), "|", color="0.4", ms=8,
                 label=f"{breaks.size - 2} breakpoints")
    ax1.legend(fontsize=8, loc="best")
    ax1.set_ylabel("value")
    ax2.semilogy(x, np.maximum(err, 1e-17), color="C3", lw=1.0, label="|f - N|")
    if result is not None and result.norm == "sup":
        if result.argmax is not None:
            ax2.plot([result.argmax[0]], [max(result.value, 1e-17)], "o", color="k", ms=5,
                     label=f"max {result.value:.3e}")
        if result.certified:
            ax2.axhline(result.high, color="k", ls=":", lw=1, label=f"certified bound {result.high:.3e}")
    ax2.set_xlabel("x")
    ax2.set_ylabel("error")
    ax2.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def _plot_2d(plt, net, tgt, box, result, k):
    (x0, y0), (x1, y1) = box.lo_array, box.hi_array
    gx, gy = np.meshgrid(np.linspace(x0, x1, k), np.linspace(y0, y1, k))
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
    err = np.linalg.norm(target_values(tgt, pts) - forward(net, pts), axis=1).reshape(k, k)
    fig, ax = plt.subplots(figsize=(6.2, 5.2))
    im = ax.pcolormesh(gx, gy, err, shading="auto", cmap="magma")
    fig.colorbar(im, ax=ax, label="|f - N|")
    if supports_pieces(net):
        try:
            reg = linear_regions_2d(net, box, max_regions=_MAX_DRAWN_REGIONS)
        except Exception:  # too many regions to draw: the heat map alone
            reg = None
        if reg is not None:
            from matplotlib.collections import PolyCollection

            polys = [reg.vertices[reg.offsets[i]:reg.offsets[i + 1]] for i in range(reg.n_regions)]
            ax.add_collection(PolyCollection(polys, facecolors="none", edgecolors="w", linewidths=0.3, alpha=0.6))
            ax.set_title(f"{reg.n_regions} linear regions", fontsize=9)
    if result is not None and result.norm == "sup" and result.argmax is not None:
        ax.plot([result.argmax[0]], [result.argmax[1]], "c*", ms=12, label=f"worst point, error {result.value:.3e}")
        ax.legend(fontsize=8, loc="upper right")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    fig.tight_layout()
    return fig
