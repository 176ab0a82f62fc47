"""``uat bounds``: minimum-width answers from the theorem catalogue, the whole table, and the audit.

Examples::

    uat bounds --arch fnn --activation relu --norm lp --domain compact --dx 2 --dy 3
    uat bounds --activation leaky_relu --norm uniform --dx 2 --dy 4 --json
    uat bounds --arch deepsets --embedding lp --N 4 --D 3
    uat bounds --table            # every catalogue entry
    uat bounds --audit            # entries that contradict each other (the ICML 2023 leaky formula)
    uat bounds --theorem kim2024-uniform-lower
"""

from __future__ import annotations

import argparse
import json
from typing import Any

def register(sub: Any) -> None:
    from .._theorem_types import ARCHS, DOMAINS, NORMS

    p = sub.add_parser(
        "bounds",
        help="minimum width from the theorem catalogue",
        description="Answer a minimum-width question from the theorem catalogue, with citations.",
        epilog=__doc__.split("Examples::", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = p.add_mutually_exclusive_group()
    what.add_argument("--table", action="store_true", help="print the whole catalogue")
    what.add_argument("--audit", action="store_true", help="print the conflicts between entries")
    what.add_argument("--theorem", metavar="ID", help="print one catalogue entry")
    p.add_argument("--arch", default="fnn", choices=ARCHS, help="architecture (default fnn)")
    p.add_argument("--activation", default=None,
                   help="activation key, e.g. relu, leaky_relu, gelu, softplus, tanh, sigmoid, relu+step "
                   "(default relu; cell for lstm/gru)")
    p.add_argument("--norm", default=None, choices=NORMS, help="lp (default) or uniform; exact for deepsets")
    p.add_argument("--domain", default="compact", choices=DOMAINS, help="compact (default) or whole (R^d_x)")
    p.add_argument("--dx", type=int, default=None, help="input dimension d_x")
    p.add_argument("--dy", type=int, default=None, help="output dimension d_y")
    p.add_argument("--embedding", default=None, choices=("lp", "le"), help="DeepSets element embedding")
    p.add_argument("--N", type=int, default=None, dest="N", help="DeepSets set size")
    p.add_argument("--D", type=int, default=None, dest="D", help="DeepSets feature dimension")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=run)


def _theorem_dict(theorem_id: str) -> dict[str, Any]:
    from ..theorems import get_theorem

    t = get_theorem(theorem_id)
    c = t.citation
    return {
        "id": t.id, "title": t.title, "arch": t.arch, "activation": t.activation.name,
        "activations": sorted(t.activation.members), "norms": list(t.norms), "domain": t.domain, "kind": t.kind,
        "width": t.formula_text, "condition": t.condition.text, "statement": t.statement, "status": t.status,
        "citation": {"bibkey": c.bibkey, "authors": c.authors, "title": c.title, "year": c.year,
                     "venue": c.venue, "arxiv": c.arxiv, "theorem": c.theorem},
        "number_checked": t.number_checked, "evidence": t.evidence, "notes": t.notes,
    }


def run(args: argparse.Namespace) -> int:
    from .._audit import audit, audit_text
    from ..theorems import catalogue_text

    if args.table:
        if args.json:
            from ..theorems import CATALOGUE

            print(json.dumps([_theorem_dict(t.id) for t in CATALOGUE], indent=2))
        else:
            print(catalogue_text())
        return 0
    if args.audit:
        if args.json:
            print(json.dumps([c.__dict__ | {"activations": list(c.activations)} for c in audit()], indent=2))
        else:
            print(audit_text())
        return 0
    if args.theorem:
        info = _theorem_dict(args.theorem)
        if args.json:
            print(json.dumps(info, indent=2))
        else:
            for k, v in info.items():
                print(f"{k:<15} {v}")
        return 0
    from .._min_width import min_width

    answer = min_width(args.arch, args.activation, args.norm, args.dx, args.dy, args.domain,
                       embedding=args.embedding, N=args.N, D=args.D)
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2))
    else:
        print(answer)
    return 0
