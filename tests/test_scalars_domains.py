"""The exactness policy and domain parsing."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from uat._scalars import exact_array, fraction_from_float, to_fraction
from uat.domains import Box, parse_domain
from uat.errors import DomainError, ExactnessError, NonFiniteError


@pytest.mark.parametrize("value,expected", [(3, Fraction(3)), ("1/3", Fraction(1, 3)), ("0.125", Fraction(1, 8)),
                                            ("-2 / 4", Fraction(-1, 2)), (Fraction(5, 7), Fraction(5, 7))])
def test_exact_inputs(value, expected):
    assert to_fraction(value) == expected


def test_sympy_rational_is_exact():
    sympy = pytest.importorskip("sympy")
    assert to_fraction(sympy.Rational(2, 3)) == Fraction(2, 3)


@pytest.mark.parametrize("value,err,match", [
    (0.1, ExactnessError, "float 0.1"), (np.float64(0.5), ExactnessError, "float"),
    (float("nan"), NonFiniteError, "non-finite"), ("1/0", ExactnessError, "zero denominator"),
    ("abc", ExactnessError, "cannot read"), (True, ExactnessError, "bool"), ([1], ExactnessError, "list"),
])
def test_floats_are_refused(value, err, match):
    with pytest.raises(err, match=match):
        to_fraction(value)


def test_explicit_float_path():
    assert fraction_from_float(0.1) == Fraction(3602879701896397, 36028797018963968)


def test_exact_array_refuses_float_arrays():
    with pytest.raises(ExactnessError):
        exact_array(np.array([0.5]))
    arr = exact_array([[1, "1/2"]])
    assert arr.dtype == object and arr[0, 1] == Fraction(1, 2) and not arr.flags.writeable


@pytest.mark.parametrize("text,lo,hi", [
    ("[0,1]^2", [0, 0], [1, 1]), ("[-1,1]x[0,2]", [-1, 0], [1, 2]), ("[0, 1/2]", [0], [Fraction(1, 2)]),
    ("[-1,1]×[0,2]^2", [-1, 0, 0], [1, 2, 2]), ("[1e-3,2.5]", [Fraction(1, 1000)], [Fraction(5, 2)]),
])
def test_domain_text(text, lo, hi):
    box = parse_domain(text)
    assert list(box.lo) == [Fraction(v) for v in lo] and list(box.hi) == [Fraction(v) for v in hi]
    assert parse_domain(str(box)) == box


@pytest.mark.parametrize("spec,match", [
    ("[1,0]", "lo = 1 >= hi = 0"), ("[0,1]^2", "dimension 2"), ("(0,1)", "cannot read the domain"),
    ([(0, float("inf"))], "not finite"), ("[0,1]^0", "out of range"), ("x" * 20000, "too long"),
])
def test_bad_domains(spec, match):
    with pytest.raises(DomainError, match=match):
        parse_domain(spec, dim=1)


def test_default_domain_and_geometry():
    box = parse_domain(None, dim=2)
    assert box == Box((0, 0), (1, 1)) and box.volume == 1.0
    assert box.grid(3).shape == (9, 2) and box.contains([[0.5, 0.5], [2, 0]]).tolist() == [True, False]
