"""Equivariant DeepSets (the paper's Theorem 5.1): f(X)_j = rho(x_j, sum_n phi(x_n)).

rho(x, s) decodes s to the set X_hat, evaluates the equivariant target g on X_hat and reads
the row of X_hat nearest to x.  Checked here for the softmax-attention target and the
centred set: outputs agree with g(X), and permuting the input permutes the output rows.

Run: .venv/bin/python docs/examples/deepsets_equivariant.py
"""

import numpy as np

from constructions import build
from uat.set_targets import make_set_target

rng = np.random.default_rng(1)
x = rng.uniform(-1, 1, (8, 5, 2))
perm = rng.permutation(5)
for spec in ("attention(beta=2)", "centered", "rank(channel=1)"):
    net = build("deepsets-le", spec, N=5, D=2).network
    g = make_set_target(spec, dim=2)
    out = net(x)
    err = np.max(np.abs(out - g(x)))
    perm_err = np.max(np.abs(net(x[:, perm]) - out[:, perm]))
    print(f"{spec:<18} L = {net.width}: |f_net - g| = {err:.1e}, |f_net(PX) - P f_net(X)| = {perm_err:.1e}")
    assert err <= 1e-8 and perm_err <= 1e-8

# rho(x, s) for one query element: the pooled vector of the set and the element itself
net = build("deepsets-le", "attention(beta=2)", N=5, D=2).network
s = net.embed(x[:1])
print("rho(x_3, s) =", net.rho(s, x[:1, 2:3]).ravel(), " g(X)_3 =", make_set_target("attention(beta=2)", dim=2)(x[:1])[0, 2])
