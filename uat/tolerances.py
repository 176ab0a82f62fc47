"""The one table of numerical tolerances used by uat's checks and tests.

Every numerical comparison in the verifiers, the contract tests and the unit tests takes
its tolerance from :data:`TOLERANCE` (by quantity), so that nothing is tuned inline.

>>> TOLERANCE["torch_vs_numpy"]
1e-12
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["TOLERANCE", "tol"]

TOLERANCE = MappingProxyType(
    {
        # float64 evaluation paths that must agree (relative to the output scale)
        "torch_vs_numpy": 1e-12,
        "sympy_vs_numpy": 1e-12,
        "exact_vs_float_dyadic": 1e-12,
        "pieces_vs_forward": 1e-12,
        # closed-form primitives of the constructions
        "primitive_closed_form": 1e-12,
        # exactly representable targets (rnn running mean etc.)
        "exact_target": 1e-10,
        # float64 roundoff flagged as a conditioning problem (verification.md section 1.6)
        "conditioning_flag": 1e-9,
        # float64 pieces of a discontinuous network: a jump unit's pre-activation this close to 0
        # (relative to the unit's magnitude scale) is ambiguous (verification.pieces; exact=True decides)
        "jump_ambiguity": 1e-9,
        # permutation invariance of DeepSets embeddings (relative)
        "permutation_invariance": 1e-13,
        # DeepSets decoding after optimal matching
        "decode": 1e-8,
        # DeepSets pooled vector: float64 vs exact rational evaluation (relative to the largest entry)
        "set_embedding_exact_vs_float": 1e-13,
        # relative accuracy of exact 1-D piecewise quadrature for smooth targets
        "quadrature_relative": 1e-12,
        # a log-log convergence slope may differ from theory by this fraction
        "rate_slope_fraction": 0.25,
        # minimum coverage of QMC confidence intervals over seeded repetitions
        "ci_coverage": 0.90,
        # target expressions: symbolic derivative vs central finite difference (relative, h = 1e-6)
        "finite_difference": 1e-6,
        # target expressions: float64 samples of a quantity may exceed its certified bound by rounding (relative)
        "bound_vs_sample": 1e-12,
        # target expressions: symbolic derivatives vs sympy's (different formulas, so more rounding)
        "derivative_vs_sympy": 1e-10,
        # target expressions: relative overestimate allowed of an enclosure whose exact range is known
        "enclosure_tightness": 1e-9,
        # verification: float64 slack (relative) when checking that a certified interval holds a true value
        "certified_interval_slack": 1e-12,
        # verification: closed-form errors (interpolants, hats) reproduced by the exact 1-D/2-D routes (relative)
        "verify_closed_form": 1e-10,
        # verification: relative width allowed of a certified interval refined with the default tolerances
        "certificate_width": 1e-5,
        # relu witnesses: float64 slack (absolute) on the pass-through margin mu = 1 of relu.md 2.5
        "relu_passthrough_slack": 1e-6,
        # relu witnesses: float64 output at cell centres vs the exact cell value (relative to the output scale)
        "relu_cell_centre": 1e-9,
    }
)


def tol(name: str) -> float:
    """Look up a tolerance by name (KeyError lists the valid names)."""
    try:
        return TOLERANCE[name]
    except KeyError:
        raise KeyError(f"unknown tolerance {name!r}; known: {', '.join(sorted(TOLERANCE))}") from None
