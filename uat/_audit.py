r"""The catalogue audit: where one entry's lower bound exceeds another entry's upper bound.

For every architecture, activation key, norm and domain, and every :math:`(d_x, d_y)` (or
:math:`(N, D)`) in :math:`1..n`, :func:`audit` collects the bounds of *all* applicable
entries, contested and historical ones included, with the same transfers as
:func:`uat.min_width`, and reports each pair where a lower bound exceeds an exact value or an
upper bound.  An exact entry counts as both.  The ICML 2023 leaky-ReLU uniform formula is
found at (2, 2) (Hwang: 4) and wherever :math:`d_x + 1 < d_y \le 2 d_x` (KMP: :math:`d_y+1`).

>>> conflicts = audit()
>>> any(c.upper_id == "li2023-leaky-uniform-icml" and (c.a, c.b) == (2, 4) for c in conflicts)
True
>>> all("li2023-leaky-uniform-icml" in (c.lower_id, c.upper_id) for c in conflicts)
True
"""

from __future__ import annotations

from dataclasses import dataclass

from ._min_width import _lower_sources, _matches, _upper_sources
from ._theorem_types import ACTIVATION_KEYS, ARCHS

__all__ = ["Conflict", "audit", "audit_text"]

_QUERY_SETTINGS = (("lp", "compact"), ("lp", "whole"), ("uniform", "compact"), ("exact", "compact"))


@dataclass(frozen=True)
class Conflict:
    """Entry ``lower_id`` proves :math:`w_{\\min} \\ge` ``lower`` where entry ``upper_id`` claims
    :math:`w_{\\min} \\le` ``upper`` < ``lower``, at ``(a, b)`` for the listed activations."""

    lower_id: str
    lower: int
    upper_id: str
    upper: int
    arch: str
    norm: str
    domain: str
    a: int
    b: int
    activations: tuple[str, ...]

    @property
    def params(self) -> tuple[str, str]:
        return ("N", "D") if self.arch == "deepsets" else ("d_x", "d_y")

    def __str__(self) -> str:
        pa, pb = self.params
        return (f"{self.arch}/{self.norm}/{self.domain} at {pa}={self.a}, {pb}={self.b} "
                f"[{', '.join(self.activations)}]: {self.lower_id} proves w_min >= {self.lower}, "
                f"but {self.upper_id} claims w_min <= {self.upper}")


def audit(n: int = 6) -> list[Conflict]:
    """Every conflict in the range :math:`1 \\le a, b \\le n`, sorted by entries, then position."""
    from .theorems import CATALOGUE

    found: dict[tuple, list[str]] = {}
    for arch in ARCHS:
        for norm, domain in _QUERY_SETTINGS:
            if (norm == "exact") != (arch == "deepsets"):
                continue
            for key in ACTIVATION_KEYS:
                low_entries = [t for s_arch, s_n, s_d, _ in _lower_sources(arch, norm, domain)
                               for t in CATALOGUE if t.lower is not None and _matches(t, key, s_arch, s_n, s_d)]
                up_entries = [t for s_arch, s_n, s_d, _ in _upper_sources(arch, norm, domain)
                              for t in CATALOGUE if t.upper is not None and _matches(t, key, s_arch, s_n, s_d)]
                if not low_entries or not up_entries:
                    continue
                for a in range(1, n + 1):
                    for b in range(1, n + 1):
                        for lo in low_entries:
                            lv = lo.lower_at(a, b)
                            if lv is None:
                                continue
                            for up in up_entries:
                                uv = up.upper_at(a, b)
                                if uv is None or up.id == lo.id or lv <= uv:
                                    continue
                                k = (lo.id, lv, up.id, uv, arch, norm, domain, a, b)
                                acts = found.setdefault(k, [])
                                if key not in acts:
                                    acts.append(key)
    out = [Conflict(*k, activations=tuple(v)) for k, v in found.items()]
    return sorted(out, key=lambda c: (c.lower_id, c.upper_id, c.arch, c.norm, c.domain, c.a, c.b))


def audit_text(n: int = 6) -> str:
    """The audit as lines of text (``uat bounds --audit``)."""
    conflicts = audit(n)
    if not conflicts:
        return f"no conflicts in the catalogue for 1 <= d_x, d_y <= {n}"
    lines = [f"{len(conflicts)} conflicts for 1 <= d_x, d_y <= {n} (a lower bound above a claimed exact value or "
             "upper bound):"]
    lines += [f"  {c}" for c in conflicts]
    from .theorems import get_theorem

    contested = sorted({i for c in conflicts for i in (c.lower_id, c.upper_id) if get_theorem(i).status == "contested"})
    if contested:
        lines.append("contested entries involved (recorded as published, never used by min_width): "
                     + ", ".join(contested))
    return "\n".join(lines)
