r"""The entries of the theorem catalogue (data only; see :mod:`uat.theorems`).

Each formula was compared with the paper's own abstract or, where stated in ``evidence``,
with other text; theorem numbers are marked ``number_checked=False`` unless they were read
in the paper's text.  Notation: :math:`d_x` input, :math:`d_y` output dimension;
:math:`N` set size, :math:`D` feature dimension; :math:`w_{\min}` the minimum width.

Verification pass of 2026-11-27: the stored copies of the papers that could be searched
(arXiv/ar5iv HTML, ICLR text dumps, SPIQA LaTeX dumps, awesomepapers, JMLR and PMLR pages)
are shown only from their beginning (title, abstract, first paragraphs of the introduction),
and no public repository in the code index holds the body of Park et al., Kim-Min-Park, Cai,
Li et al., Hanin-Sellke, Johnson, Kidger-Lyons, Song et al., Rochau et al., Hwang or Shin et al.
So for those papers the abstracts were re-read and the theorem numbers stay unchecked.  The
one body text found is the NeurIPS 2023 submission of Wang et al. (DeepSets), read in full.
"""

from __future__ import annotations

from ._theorem_types import ACTIVATION_KEYS, ALWAYS, ActivationClass, Citation, Condition, Formula, Theorem

__all__ = ["ENTRIES", "CITATIONS", "ACTIVATION_CLASSES"]

# -- activation classes -------------------------------------------------------------------
_C = ActivationClass
RELU = _C("relu", frozenset({"relu"}), "ReLU")
LEAKY = _C("leaky_relu", frozenset({"leaky_relu"}), "one leaky ReLU, slope a in (0, 1)")
RELU_LIKE = _C(
    "relu-like",
    frozenset({"relu", "gelu", "softplus"}),
    "KMP's 'ReLU-Like' class; the abstract names ReLU, GELU and Softplus (the formal definition was not "
    "read, so no other activation is admitted)",
)
RELU_STEP = _C("relu+step", frozenset({"relu+step"}), "ReLU and the threshold STEP(x) = 1[x >= 0] together")
ANY = _C("any", frozenset(ACTIVATION_KEYS), "any activation set")
INJECTIVE_LIMIT = _C(
    "injective-limit",
    frozenset({"relu", "leaky_relu", "softplus", "tanh", "sigmoid", "identity"}),
    "continuous and a uniform limit of continuous injective functions (ReLU, leaky ReLU, softplus, tanh, "
    "sigmoid; not GELU, which is not monotone, and not STEP)",
)
CONT_MONOTONE = _C(
    "continuous-monotone",
    frozenset({"relu", "leaky_relu", "softplus", "tanh", "sigmoid", "identity"}),
    "every activation continuous and monotone",
)
KIDGER_LYONS = _C(
    "nonaffine-C1-somewhere",
    frozenset({"relu", "leaky_relu", "gelu", "softplus", "tanh", "sigmoid", "exp", "power"}),
    "nonaffine continuous, continuously differentiable with nonzero derivative at some point "
    "(includes polynomials of degree >= 2)",
)
SQUASHABLE = _C(
    "squashable-analytic",
    frozenset({"gelu", "softplus", "tanh", "sigmoid", "exp", "power"}),
    "non-affine analytic activations, which Shin et al. prove squashable (power means degree >= 2)",
)
SQUASHABLE_MONOTONE = _C(
    "squashable-analytic-monotone",
    frozenset({"softplus", "tanh", "sigmoid", "exp"}),
    "monotone non-affine analytic activations",
)
LEAKY_PAIR = _C("leaky_relu_pair", frozenset({"leaky_relu_pair"}), "two leaky ReLUs sigma_a and sigma_{-a}")
STEPPED_LEAKY = _C("stepped_leaky_relu", frozenset({"stepped_leaky_relu"}), "leaky ReLU with a jump at 0")
SQUASH_FLOOR = _C("squashable+floor", frozenset({"squashable+floor"}), "a squashable activation and FLOOR")
TANH = _C("tanh", frozenset({"tanh"}), "tanh")
SIGMOID = _C("sigmoid", frozenset({"sigmoid"}), "logistic sigmoid")
CELL = _C("cell", frozenset({"cell"}), "the cell's own gates (sigmoid and tanh)")
POWER = _C("power", frozenset({"power"}), "LP embedding: linear map, then powers 1..N")
EXP = _C("exp", frozenset({"exp"}), "LE embedding: linear map, then exp")

ACTIVATION_CLASSES = (RELU, LEAKY, RELU_LIKE, RELU_STEP, ANY, INJECTIVE_LIMIT, CONT_MONOTONE, KIDGER_LYONS,
                      SQUASHABLE, SQUASHABLE_MONOTONE, LEAKY_PAIR, STEPPED_LEAKY, SQUASH_FLOOR, TANH, SIGMOID,
                      CELL, POWER, EXP)

# -- formulas and conditions -----------------------------------------------------------------
F, Cond = Formula, Condition
MAX_DX1_DY = F("max(d_x+1, d_y)", r"\max(d_x+1,\,d_y)", lambda a, b: max(a + 1, b))
MAX_DX_DY = F("max(d_x, d_y)", r"\max(d_x,\,d_y)", lambda a, b: max(a, b))
MAX_DX_DY_2 = F("max(d_x, d_y, 2)", r"\max(d_x,\,d_y,\,2)", lambda a, b: max(a, b, 2))
MAX_DX_DY_3 = F("max(d_x, d_y, 3)", r"\max(d_x,\,d_y,\,3)", lambda a, b: max(a, b, 3))
MAX_DX_DY_PLUS1 = F("max(d_x, d_y)+1", r"\max(d_x,\,d_y)+1", lambda a, b: max(a, b) + 1)
DY_PLUS1 = F("d_y+1", r"d_y+1", lambda a, b: b + 1)
DX_PLUS1 = F("d_x+1", r"d_x+1", lambda a, b: a + 1)
DX_DY = F("d_x+d_y", r"d_x+d_y", lambda a, b: a + b)
DX_DY_2 = F("d_x+d_y+2", r"d_x+d_y+2", lambda a, b: a + b + 2)
DX_DY_3 = F("d_x+d_y+3", r"d_x+d_y+3", lambda a, b: a + b + 3)
DX_DY_4 = F("d_x+d_y+4", r"d_x+d_y+4", lambda a, b: a + b + 4)
DX_PLUS4 = F("d_x+4", r"d_x+4", lambda a, b: a + 4)
MAX_DX1_DY_PLUS1 = F("max(d_x+1, d_y)+1", r"\max(d_x+1,\,d_y)+1", lambda a, b: max(a + 1, b) + 1)
ICML = F(
    "max(d_x+1, d_y) + 1[d_y = d_x+1]",
    r"\max(d_x+1,\,d_y)+\mathbf 1_{d_y=d_x+1}",
    lambda a, b: max(a + 1, b) + (1 if b == a + 1 else 0),
)
HWANG_LEAKY = F(
    "min(d_x+d_y, max(2d_x+1, d_y))", r"\min\bigl(d_x+d_y,\,\max(2d_x+1,\,d_y)\bigr)", lambda a, b: min(a + b, max(2 * a + 1, b))
)
HWANG_RELU = F("max(2d_x+1, d_y)+1", r"\max(2d_x+1,\,d_y)+1", lambda a, b: max(2 * a + 1, b) + 1)
TWO_DX = F("2d_x", r"2d_x", lambda a, b: 2 * a)
THREE = F("3", "3", lambda a, b: 3)
FOUR = F("4", "4", lambda a, b: 4)
TWO = F("2", "2", lambda a, b: 2)
# DeepSets, variables (N, D)
N_D1 = F("N(D+1)", r"N(D+1)", lambda n, d: n * (d + 1))
N_D = F("N D", r"ND", lambda n, d: n * d)
N5_D2 = F("N^5 D^2", r"N^5D^2", lambda n, d: n**5 * d**2)
N4_D2 = F("N^4 D^2", r"N^4D^2", lambda n, d: n**4 * d**2)

AT_1_2 = Cond("(d_x, d_y) = (1, 2)", r"(d_x,d_y)=(1,2)", lambda a, b: (a, b) == (1, 2))
KMP_RANGE = Cond("d_x < d_y <= 2 d_x", r"d_x<d_y\le 2d_x", lambda a, b: a < b <= 2 * a)
DY_LE_2DX = Cond("d_y <= 2 d_x", r"d_y\le 2d_x", lambda a, b: b <= 2 * a)
DY_IS_1 = Cond("d_y = 1 (and p = 1)", r"d_y=1,\ p=1", lambda a, b: b == 1)
NOT_11 = Cond("d_x + d_y >= 3", r"d_x+d_y\ge 3", lambda a, b: a + b >= 3)
AT_1_1 = Cond("(d_x, d_y) = (1, 1)", r"(d_x,d_y)=(1,1)", lambda a, b: (a, b) == (1, 1))
AT_22_23 = Cond("(d_x, d_y) in {(2, 2), (2, 3)}", r"(d_x,d_y)\in\{(2,2),(2,3)\}", lambda a, b: (a, b) in ((2, 2), (2, 3)))
EVEN_2DX_1 = Cond("d_x = 2k even, d_y = 2d_x - 1", r"d_x=2k,\ d_y=4k-1", lambda a, b: a % 2 == 0 and b == 2 * a - 1)
D_GE_2 = Cond("D >= 2", r"D\ge 2", lambda n, d: d >= 2)

# -- citations ---------------------------------------------------------------------------------
def _cite(key: str, authors: str, title: str, year: int, venue: str, arxiv: str):
    def at(theorem: str) -> Citation:
        return Citation(key, authors, title, year, venue, arxiv, theorem)

    return at


PARK = _cite("park2021minimum", "Park, Yun, Lee, Shin", "Minimum Width for Universal Approximation", 2021, "ICLR", "2006.08859")
KMP = _cite("kim2024minimum", "Kim, Min, Park",
            "Minimum width for universal approximation using ReLU networks on compact domain", 2024, "ICLR", "2309.10402")
CAI = _cite("cai2023achieve", "Cai", "Achieve the Minimum Width of Neural Networks for Universal Approximation", 2023,
            "ICLR", "2209.11395")
LI = _cite("li2023minimum", "Li, Duan, Ji, Cai",
           "Minimum Width of Leaky-ReLU Neural Networks for Uniform Universal Approximation", 2023,
           "ICML (PMLR 202)", "2305.18460")
HWANG = _cite("hwang2025minimum", "Hwang", "Minimum Width for Deep, Narrow MLP: A Diffeomorphism Approach", 2025,
              "NeurIPS", "2308.15873")
SONG = _cite("song2023minimal", "Song, Hwang, Lee, Kang", "Minimal Width for Universal Property of Deep RNN", 2023,
             "JMLR 24(121)", "2211.13866")
WANG = _cite("wang2024polynomial", "Wang, Yang, Li, Wang, Li",
             "Polynomial Width is Sufficient for Set Representation with High-dimensional Features", 2024, "ICLR",
             "2307.04001")
HANIN = _cite("hanin2017approximating", "Hanin, Sellke", "Approximating Continuous Functions by ReLU Nets of Minimal Width",
              2017, "arXiv preprint", "1710.11278")
JOHNSON = _cite("johnson2019deep", "Johnson", "Deep, Skinny Neural Networks are not Universal Approximators", 2019,
                "ICLR", "1810.00393")
KIDGER = _cite("kidger2020universal", "Kidger, Lyons", "Universal Approximation with Deep Narrow Networks", 2020,
               "COLT (PMLR 125)", "1905.08539")
LU = _cite("lu2017expressive", "Lu, Pu, Wang, Hu, Wang", "The Expressive Power of Neural Networks: A View from the Width",
           2017, "NeurIPS", "1709.02540")
ROCHAU = _cite("rochau2024new", "Rochau, Chan, Gottschalk",
               "New advances in universal approximation with neural networks of minimal width", 2024,
               "arXiv preprint (v3)", "2411.08735")
SHIN = _cite("shin2025minimum", "Shin, Kim, Hwang, Park",
             "Minimum width for universal approximation using squashable activation functions", 2025, "ICML",
             "2504.07371")

#: bibkey -> (authors in BibTeX form, title, year, venue field, arXiv id, entry type)
CITATIONS = {
    "park2021minimum": ("Park, Sejun and Yun, Chulhee and Lee, Jaeho and Shin, Jinwoo", "Minimum Width for Universal Approximation", 2021, "International Conference on Learning Representations (ICLR)", "2006.08859", "inproceedings"),
    "kim2024minimum": ("Kim, Namjun and Min, Chanho and Park, Sejun", "Minimum width for universal approximation using {ReLU} networks on compact domain", 2024, "International Conference on Learning Representations (ICLR)", "2309.10402", "inproceedings"),
    "cai2023achieve": ("Cai, Yongqiang", "Achieve the Minimum Width of Neural Networks for Universal Approximation", 2023, "International Conference on Learning Representations (ICLR)", "2209.11395", "inproceedings"),
    "li2023minimum": ("Li, Li'ang and Duan, Yifei and Ji, Guanghua and Cai, Yongqiang", "Minimum Width of Leaky-{ReLU} Neural Networks for Uniform Universal Approximation", 2023, "Proceedings of the 40th International Conference on Machine Learning (ICML), PMLR 202", "2305.18460", "inproceedings"),
    "hwang2025minimum": ("Hwang, Geonho", "Minimum Width for Deep, Narrow {MLP}: A Diffeomorphism Approach", 2025, "Advances in Neural Information Processing Systems (NeurIPS)", "2308.15873", "inproceedings"),
    "song2023minimal": ("Song, Chang hoon and Hwang, Geonho and Lee, Jun ho and Kang, Myungjoo", "Minimal Width for Universal Property of Deep {RNN}", 2023, "Journal of Machine Learning Research, 24(121):1--41", "2211.13866", "article"),
    "wang2024polynomial": ("Wang, Peihao and Yang, Shenghao and Li, Shu and Wang, Zhangyang and Li, Pan", "Polynomial Width is Sufficient for Set Representation with High-dimensional Features", 2024, "International Conference on Learning Representations (ICLR)", "2307.04001", "inproceedings"),
    "hanin2017approximating": ("Hanin, Boris and Sellke, Mark", "Approximating Continuous Functions by {ReLU} Nets of Minimal Width", 2017, "arXiv preprint arXiv:1710.11278", "1710.11278", "misc"),
    "johnson2019deep": ("Johnson, Jesse", "Deep, Skinny Neural Networks are not Universal Approximators", 2019, "International Conference on Learning Representations (ICLR)", "1810.00393", "inproceedings"),
    "kidger2020universal": ("Kidger, Patrick and Lyons, Terry", "Universal Approximation with Deep Narrow Networks", 2020, "Proceedings of the 33rd Conference on Learning Theory (COLT), PMLR 125", "1905.08539", "inproceedings"),
    "lu2017expressive": ("Lu, Zhou and Pu, Hongming and Wang, Feicheng and Hu, Zhiqiang and Wang, Liwei", "The Expressive Power of Neural Networks: A View from the Width", 2017, "Advances in Neural Information Processing Systems (NeurIPS)", "1709.02540", "inproceedings"),
    "rochau2024new": ("Rochau, Dennis and Chan, Robin and Gottschalk, Hanno", "New advances in universal approximation with neural networks of minimal width", 2024, "arXiv preprint arXiv:2411.08735 (v3, December 2025)", "2411.08735", "misc"),
    "shin2025minimum": ("Shin, Jonghyun and Kim, Namjun and Hwang, Geonho and Park, Sejun", "Minimum width for universal approximation using squashable activation functions", 2025, "International Conference on Machine Learning (ICML)", "2504.07371", "inproceedings"),
}

NOT_IDENTIFIED = "main result (theorem number not identified)"
_ABS = "Formula compared with the paper's abstract ({where}); the theorem number was not read in the paper text."

# -- the entries -------------------------------------------------------------------------------
T = Theorem
ENTRIES: tuple[Theorem, ...] = (
    # ---------------- Park, Yun, Lee, Shin (ICLR 2021) ----------------
    T("park2021-relu-lp-whole", "ReLU, L^p on all of R^dx: exactly max(d_x+1, d_y)", "fnn", RELU, ("lp",), "whole",
      "exact", MAX_DX1_DY, MAX_DX1_DY, ALWAYS,
      r"For every $p\in[1,\infty)$, ReLU networks of width $w$ are dense in $L^p(\mathbb R^{d_x},\mathbb R^{d_y})$ "
      r"if and only if $w\ge\max(d_x+1,d_y)$.",
      PARK("Theorem 1"), False,
      _ABS.format(where="ICLR 2021 text and ar5iv 2006.08859") + " The whole-space domain is confirmed by KMP's "
      "abstract ('when the domain is R^dx'). 'Theorem 1' comes from the reference notes, where it is tagged [recalled].",
      notes="The +1 is an unbounded-domain effect (Lu et al. 2017): on a compact domain KMP need only max(d_x, d_y, 2)."),
    T("park2021-relu-step-uniform", "ReLU+STEP, uniform on compacts: exactly max(d_x+1, d_y)", "fnn", RELU_STEP,
      ("uniform",), "compact", "exact", MAX_DX1_DY, MAX_DX1_DY, ALWAYS,
      r"Networks whose neurons use ReLU or $\mathrm{STEP}(x)=\mathbf 1[x\ge0]$ of width $w$ are dense in "
      r"$C(K,\mathbb R^{d_y})$ for compact $K\subset\mathbb R^{d_x}$ if and only if $w\ge\max(d_x+1,d_y)$.",
      PARK("Theorem 2"), False,
      "Park's abstract says the uniform result holds 'with an additional threshold activation function'; the value "
      "max(d_x+1, d_y) is stated for 'the C-UAP of ReLU+STEP networks' in Cai's ICLR 2023 abstract. 'Theorem 2' is "
      "[recalled] in the notes.",
      notes="STEP is discontinuous, so the topological uniform lower bounds (Johnson, KMP, Rochau) do not apply."),
    T("park2021-relu-uniform-12", "ReLU, uniform, (d_x, d_y) = (1, 2): width 2 fails, 3 is minimal", "fnn", RELU,
      ("uniform",), "compact", "exact", THREE, THREE, AT_1_2,
      r"For $(d_x,d_y)=(1,2)$, ReLU networks of width $2=\max(d_x+1,d_y)$ are not dense in $C([0,1],\mathbb R^2)$; "
      r"the minimum width is $3$.",
      PARK("uniform ReLU counterexample (theorem number not identified)"), False,
      "Park's abstract: the L^p conclusion 'does not hold for the uniform approximation with ReLU'. The value 3 at "
      "(1, 2) is stated in the text of Hwang's NeurIPS 2025 C^1 paper ('the optimal minimum width is three when n = 1 "
      "and m = 2 with ReLU'), which we read in full.",
      notes="The upper bound 3 also follows from Hanin-Sellke (d_x + d_y)."),
    # ---------------- Kim, Min, Park (ICLR 2024) ----------------
    T("kim2024-relu-lp-compact", "ReLU-like, L^p on [0,1]^dx: exactly max(d_x, d_y, 2)", "fnn", RELU_LIKE, ("lp",),
      "compact", "exact", MAX_DX_DY_2, MAX_DX_DY_2, ALWAYS,
      r"If $\sigma$ is ReLU-like (e.g. ReLU, GELU, softplus), the minimum width for $L^p$ approximation of "
      r"$L^p([0,1]^{d_x},\mathbb R^{d_y})$ is exactly $\max(d_x,d_y,2)$.",
      KMP("Theorems 1-2 (Theorem 2: the ReLU-like case)"), False,
      _ABS.format(where="arXiv v2 HTML, ICLR 2024 listing") + " An ICLR 2024 reviewer writes that 'Theorem 2 holds "
      "for a wide class of ReLU-like activations'; that is a review, not the paper text.",
      notes="Stated on [0,1]^dx; any compact set lies in an affine image of a cube, and the first layer absorbs the "
      "affine map, so the upper bound holds on every compact set. The formal ReLU-like definition was not read: only "
      "the three activations the abstract names are admitted."),
    T("kim2024-uniform-lower", "Uniform lower bound d_y+1 when d_x < d_y <= 2d_x", "fnn", INJECTIVE_LIMIT,
      ("uniform",), "compact", "lower", DY_PLUS1, None, KMP_RANGE,
      r"If $\sigma$ is continuous and a uniform limit of continuous injective functions (this includes ReLU), and "
      r"$d_x<d_y\le 2d_x$, then $w_{\min}\ge d_y+1$ for uniform approximation of $C(K,\mathbb R^{d_y})$.",
      KMP(NOT_IDENTIFIED), False,
      _ABS.format(where="arXiv v2 HTML, ICLR 2024 listing") + " The activation class is from the summary of ICLR 2024 "
      "reviewer 1 (OpenReview reviews, public GitHub copy, re-read on 2026-11-27): 'if the activation function is a "
      "continuous function that can be uniformly approximated by a sequence of continuous one-to-one functions, then "
      "the minimum width ... is at least d_y+1 if d_x<d_y<=2d_x'. The paper's own statement was not reachable; its "
      "abstract says only 'general activation functions including ReLU'.",
      notes="Together with the L^p value max(d_x, d_y, 2) this is KMP's L^p-versus-uniform dichotomy. It refutes the "
      "ICML 2023 leaky-ReLU formula at e.g. (2, 4), (3, 5), (3, 6), (4, 6)."),
    # ---------------- Cai (ICLR 2023) ----------------
    T("cai2023-lower", "Any activation, L^p or uniform on compacts: w_min >= max(d_x, d_y)", "fnn", ANY,
      ("lp", "uniform"), "compact", "lower", MAX_DX_DY, None, ALWAYS,
      r"For an arbitrary set of activation functions, both $L^p$- and $C$-universal approximation on compact domains "
      r"need width $w\ge w^*_{\min}=\max(d_x,d_y)$.",
      CAI("Lemma 1"), False,
      _ABS.format(where="ICLR 2023 text and arXiv listing") + " 'Lemma 1' is [recalled] in the notes.",
      notes="Applies to every activation, discontinuous ones included."),
    T("cai2023-leaky-lp", "Leaky ReLU, L^p on compacts: exactly max(d_x, d_y, 2)", "fnn", LEAKY, ("lp",), "compact",
      "exact", MAX_DX_DY_2, MAX_DX_DY_2, ALWAYS,
      r"Leaky-ReLU networks of width $w$ are dense in $L^p(K,\mathbb R^{d_y})$, $1\le p<\infty$, if and only if "
      r"$w\ge\max(d_x,d_y,2)$; for $d_x+d_y\ge3$ this is the critical width $\max(d_x,d_y)$.",
      CAI("Theorem 2"), False,
      _ABS.format(where="ICLR 2023 text") + " The abstract covers d_x + d_y >= 3 ('provided that the input or output "
      "dimension is larger than one'); the value 2 at (1, 1) is as an ICLR 2024 reviewer of KMP summarises Cai "
      "('max(d_x, d_y, 2) when the activation function is Leaky-ReLU'). 'Theorem 2' is [recalled].",
      notes="At (1, 1) a width-1 leaky network is monotone, so width 2 is needed; Rochau et al. reprove the upper "
      "bound constructively."),
    # ---------------- Li, Duan, Ji, Cai (ICML 2023) ----------------
    T("li2023-leaky-uniform-icml", "Leaky ReLU, uniform: the ICML 2023 formula (contested)", "fnn", LEAKY,
      ("uniform",), "compact", "exact", ICML, ICML, ALWAYS,
      r"(As published in ICML 2023.) The minimum width of leaky-ReLU networks for uniform approximation of "
      r"$C(K,\mathbb R^{d_y})$ is $w_{\min}=\max(d_x+1,d_y)+\mathbf 1_{d_y=d_x+1}$.",
      LI("main theorem, ICML 2023 / arXiv v1-v2 (number not identified)"), False,
      "Formula copied from the ICML 2023 OpenReview abstract and the PMLR listing; arXiv v3 (Feb 2024) replaces it "
      "(see li2023-leaky-uniform-v3). Re-read on 2026-11-27 in the PMLR v202 abstract (proceedings.mlr.press/v202/"
      "li23g.html, as copied in a public listing of ICML 2023 abstracts): 'w_min = max(d_x+1, d_y) + 1_{d_y=d_x+1}'. "
      "The body of the ICML paper (and so its theorem number) was not reachable.",
      status="contested",
      notes="CONTESTED, never used as a width. It is below KMP's proven lower bound d_y+1 wherever "
      "d_x+1 < d_y <= 2d_x (e.g. (2,4): 4 < 5) and below Hwang's w(2,2) = 4 (ICML says 3). `uat bounds --audit` "
      "lists every such (d_x, d_y). It agrees with the settled values for d_y = 1, (1,2) and d_y >= 2d_x+1."),
    T("li2023-leaky-uniform-v3", "Leaky ReLU, uniform: arXiv v3 restatement max(d_x, d_y) + Delta", "fnn", LEAKY,
      ("uniform",), "compact", "lower", MAX_DX_DY, None, ALWAYS,
      r"(arXiv v3.) $w_{\min}=\max(d_x,d_y)+\Delta(d_x,d_y)$, where $\Delta\ge0$ is the number of additional "
      r"dimensions needed to approximate continuous functions by diffeomorphisms via embedding.",
      LI("main theorem, arXiv v3 (number not identified)"), False,
      "Formula compared with the arXiv v3 abstract (arxiv.org/html/2305.18460v3, dated 01 Feb 2024; re-read on "
      "2026-11-27): 'w_min = max(d_x, d_y) + Delta(d_x, d_y)'. Delta is not given in closed form there, so the "
      "catalogue records only what it implies, w_min >= max(d_x, d_y).",
      notes="Third-party summaries say v3 treats d_x+1 <= d_y <= 2d_x and d_y > 2d_x separately and leaves Delta "
      "partly open; those details were not read."),
    # ---------------- Hanin, Sellke (2017) ----------------
    T("hanin2017-relu-uniform", "ReLU, uniform on [0,1]^dx: d_x+1 <= w_min <= d_x+d_y", "fnn", RELU, ("uniform",),
      "compact", "bounds", DX_PLUS1, DX_DY, ALWAYS,
      r"ReLU networks of width $d_x+d_y$ are dense in $C([0,1]^{d_x},\mathbb R^{d_y})$; width $d_x$ is not "
      r"enough; for $d_y=1$ the minimum width is exactly $d_x+1$.",
      HANIN(NOT_IDENTIFIED), False,
      _ABS.format(where="arXiv 1710.11278 v2 abstract, via two indexing sites"),
      notes="The lower bound is stated for real-valued targets; it carries over to d_y > 1 by looking at one output."),
    # ---------------- Johnson (ICLR 2019) ----------------
    T("johnson2019-lower", "Injective-limit activations, uniform: w_min >= d_x+1", "fnn", INJECTIVE_LIMIT,
      ("uniform",), "compact", "lower", DX_PLUS1, None, ALWAYS,
      r"If $\sigma$ is uniformly approximable by injective continuous functions, networks of width $\le d_x$ are not "
      r"dense in $C(K,\mathbb R)$: every function they approximate has unbounded level-set components.",
      JOHNSON(NOT_IDENTIFIED), False,
      "Checked against the abstract (level-set constraints, independent of depth) and a blog exposition of the "
      "theorem; the activation hypothesis is from that exposition and the notes.",
      notes="Carries over to d_y > 1 by looking at one output coordinate."),
    # ---------------- Kidger, Lyons (COLT 2020) ----------------
    T("kidger2020-uniform", "Nonaffine activations with C^1 nonzero derivative somewhere, uniform: d_x+d_y+2", "fnn",
      KIDGER_LYONS, ("uniform",), "compact", "upper", None, DX_DY_2, ALWAYS,
      r"If $\rho$ is nonaffine continuous and continuously differentiable at some point with nonzero derivative there, "
      r"networks of width $d_x+d_y+2$ are dense in $C(K,\mathbb R^{d_y})$ for compact $K$.",
      KIDGER(NOT_IDENTIFIED), False,
      _ABS.format(where="COLT 2020 proceedings text") + " The abstract also announces width d_x+d_y+1 for 'most' "
      "activations and an L^p(R^dx) ReLU result; their exact hypotheses were not read, so they are not catalogued.",
      notes="Covers polynomial activations too (unlike the classical theorem)."),
    # ---------------- Lu, Pu, Wang, Hu, Wang (NeurIPS 2017) ----------------
    T("lu2017-relu-l1", "ReLU, L^1(R^dx -> R): d_x+1 <= w_min <= d_x+4", "fnn", RELU, ("lp",), "whole", "bounds",
      DX_PLUS1, DX_PLUS4, DY_IS_1,
      r"Width-$(d_x+4)$ ReLU networks are dense in $L^1(\mathbb R^{d_x},\mathbb R)$; width-$d_x$ ReLU networks "
      r"approximate only a measure-zero set of functions.",
      LU("Theorems 1-2 (numbers recalled)"), False,
      "Checked against a secondary source only (the Wikipedia summary of the arbitrary-depth case).",
      status="historical",
      notes="Stated for p = 1 and d_y = 1 only, and superseded by Park et al. (exact for every p); shown for history, "
      "not used by min_width."),
    # ---------------- Rochau, Chan, Gottschalk (arXiv 2411.08735 v3) ----------------
    T("rochau2024-two-leaky-lp", "Two leaky ReLUs {sigma_a, sigma_-a}, L^p: exactly max(d_x, d_y)", "fnn",
      LEAKY_PAIR, ("lp",), "compact", "exact", MAX_DX_DY, MAX_DX_DY, ALWAYS,
      r"Networks using $\sigma_\alpha$ and $\sigma_{-\alpha}$ achieve the optimal width $\max(d_x,d_y)$ for $L^p$ "
      r"approximation on compact sets.",
      ROCHAU("(theorem numbers not identified; v3)"), False,
      _ABS.format(where="arXiv v3 abstract, 25 Dec 2025; re-read in arxiv.org/html/2411.08735v3") + " The authors' code repository (DennisRTUB/universal-approximation-minimal-width) says it follows v3 and names no theorem numbers.",
      notes="Optimal by Cai's lower bound. Differs from one leaky ReLU only at (1, 1), where width 1 suffices."),
    T("rochau2024-leaky-lp", "One leaky ReLU, L^p: width max(2, d_x, d_y) suffices (coding scheme)", "fnn", LEAKY,
      ("lp",), "compact", "upper", None, MAX_DX_DY_2, ALWAYS,
      r"A single leaky ReLU $\sigma_\alpha$ achieves $L^p$ universal approximation on compact sets at width "
      r"$\max(2,d_x,d_y)$.",
      ROCHAU("(theorem numbers not identified; v3)"), False, _ABS.format(where="arXiv v3 abstract, arxiv.org/html/2411.08735v3"),
      notes="An explicit, constructive alternative proof of cai2023-leaky-lp; the construction passes through a 1-D code."),
    T("rochau2024-stepped-uniform", "Stepped leaky ReLU, uniform: width max(2, d_x, d_y) suffices", "fnn",
      STEPPED_LEAKY, ("uniform",), "compact", "upper", None, MAX_DX_DY_2, ALWAYS,
      r"With stepped leaky ReLUs (a leaky ReLU with a jump at $0$) the $L^p$ widths extend to uniform approximation "
      r"of continuous functions on compact sets.",
      ROCHAU("(theorem numbers not identified; v3)"), False,
      _ABS.format(where="arXiv v3 abstract, arxiv.org/html/2411.08735v3") + " The abstract says the L^p results 'extend'; the single-activation "
      "width max(2, d_x, d_y) is recorded (the pair version, max(d_x, d_y), per the notes, is not catalogued).",
      notes="Discontinuous, so the topological uniform lower bounds do not apply; Cai's max(d_x, d_y) does."),
    T("rochau2024-squashable-floor-uniform", "Squashable + FLOOR, uniform: width max(3, d_x, d_y)", "fnn",
      SQUASH_FLOOR, ("uniform",), "compact", "upper", None, MAX_DX_DY_3, ALWAYS,
      r"Squashable activations combined with FLOOR achieve uniform approximation at width $\max(3,d_x,d_y)$.",
      ROCHAU("(theorem numbers not identified; v3)"), False, _ABS.format(where="arXiv v3 abstract, arxiv.org/html/2411.08735v3")),
    T("rochau2024-uniform-lower", "Continuous monotone activations, uniform: max(d_x, d_y)+1 when d_y <= 2d_x",
      "fnn", CONT_MONOTONE, ("uniform",), "compact", "lower", MAX_DX_DY_PLUS1, None, DY_LE_2DX,
      r"If all activations are continuous and monotone and $d_y\le 2d_x$, uniform approximation needs width "
      r"$w\ge\max(d_x,d_y)+1$.",
      ROCHAU("(theorem numbers not identified; v3)"), False,
      _ABS.format(where="arXiv v3 abstract, arxiv.org/html/2411.08735v3") + " The v2 abstract stated only d_x+1 for d_x >= d_y with monotone "
      "Lipschitz activations; v3 is followed.",
      notes="Recovers Johnson's d_x+1 (d_y <= d_x) and KMP's d_y+1 (d_x < d_y <= 2d_x) in one statement."),
    # ---------------- Hwang (NeurIPS 2025) ----------------
    T("hwang2025-uniform", "Leaky ReLU, uniform: w_min = w(d_x,d_y) <= min(d_x+d_y, max(2d_x+1, d_y))", "fnn", LEAKY,
      ("uniform",), "compact", "upper", None, HWANG_LEAKY, ALWAYS,
      r"For leaky-ReLU networks the minimum width for uniform approximation equals a purely geometric quantity "
      r"$w(d_x,d_y)$, and $w(d_x,d_y)\le\min(d_x+d_y,\max(2d_x+1,d_y))$.",
      HWANG(NOT_IDENTIFIED), False,
      "The bound max(2d_x+1, d_y)+alpha(sigma), 0 <= alpha <= 2, is in the abstract (NeurIPS 2025 listing and arXiv); "
      "alpha(leaky ReLU) = 0 is stated in the text of Hwang's NeurIPS 2025 C^1 paper ('Hwang (2023) established an "
      "upper bound of max(2n+1, m) for networks using the Leaky-ReLU activation'), which we read in full. That text "
      "also calls n+m and max(2n+1, m) 'the known upper bounds ... under the uniform norm'.",
      notes="The d_x+d_y part is the graph embedding x -> (x, f(x)), which bounds w(d_x, d_y) by definition; the "
      "uniform paper's own statement of it was not read. Gives exact values with the lower bounds: d_y = 1 (d_x+1), "
      "d_y = 2d_x (2d_x+1) and d_y >= 2d_x+1 (d_y)."),
    T("hwang2025-relu-uniform", "ReLU, uniform: width max(2d_x+1, d_y)+1 suffices", "fnn", RELU, ("uniform",),
      "compact", "upper", None, HWANG_RELU, ALWAYS,
      r"ReLU networks of width $\max(2d_x+1,d_y)+1$ are dense in $C(K,\mathbb R^{d_y})$ (here $\alpha(\mathrm{ReLU})=1$).",
      HWANG(NOT_IDENTIFIED), False,
      "alpha(ReLU) = 1 rests on the paper's statement that ReLU networks of width d+1 approximate C^2 "
      "diffeomorphisms of R^d, as quoted by a NeurIPS 2025 reproducibility index page (not the paper itself).",
      notes="Improves Hanin-Sellke's d_x+d_y only when d_y >= d_x+2 and d_x >= 2 (e.g. (2, 6): 7 < 8)."),
    T("hwang2025-uniform-22", "Leaky ReLU, uniform: w(2,2) = w(2,3) = 4", "fnn", LEAKY, ("uniform",), "compact",
      "exact", FOUR, FOUR, AT_22_23,
      r"For leaky-ReLU networks, $w_{\min}=4$ for $(d_x,d_y)=(2,2)$ and $(2,3)$.",
      HWANG(NOT_IDENTIFIED), False,
      "The NeurIPS 2025 abstract states 'w(2,2) = w(2,3) = 4' (arXiv v1: 'a lower bound of 4 ... when the input and "
      "output dimensions are both two'); Hwang's C^1 paper text says 'the minimum width is ... 4 for (2, 2)'.",
      notes="Only leaky ReLU is admitted: whether the lower bound 4 at (2,2) covers ReLU or other activations was not "
      "verified (for ReLU the catalogue gives [3, 4] at (2, 2)). ICML 2023 says 3 at (2, 2)."),
    T("hwang2025-uniform-2k", "Leaky ReLU, uniform: w(2k, 4k-1) = 4k", "fnn", LEAKY, ("uniform",), "compact", "exact",
      TWO_DX, TWO_DX, EVEN_2DX_1,
      r"For leaky-ReLU networks with $d_x=2k$ and $d_y=4k-1$, $w_{\min}=4k$.",
      HWANG(NOT_IDENTIFIED), False,
      "From a NeurIPS 2025 reproducibility index page quoting the paper ('when the input dimension is 2k and the "
      "output dimension is 4k 1, the optimal minimum width is 4k'; the sign was lost in extraction). Only 4k-1 is "
      "consistent with Cai's lower bound max(d_x, d_y), and k = 1 gives the abstract's w(2,3) = 4.",
      notes="Matches KMP's lower bound d_y+1 = 4k. In the range 1..6 it only decides (2, 3), which "
      "hwang2025-uniform-22 gives from the abstract. Status unconfirmed: known only from a secondary page whose text "
      "lost a sign, so min_width does not use it.", status="unconfirmed"),
    # ---------------- Shin, Kim, Hwang, Park (ICML 2025) ----------------
    T("shin2025-squashable-lp", "Squashable (non-affine analytic) activations, L^p on [0,1]^dx: max(d_x, d_y, 2)",
      "fnn", SQUASHABLE, ("lp",), "compact", "exact", MAX_DX_DY_2, MAX_DX_DY_2, NOT_11,
      r"For a squashable activation (every non-affine analytic one is), the minimum width for $L^p$ approximation "
      r"of $L^p([0,1]^{d_x},\mathbb R^{d_y})$ is $\max(d_x,d_y,2)$ unless $d_x=d_y=1$.",
      SHIN(NOT_IDENTIFIED), False, _ABS.format(where="arXiv 2504.07371 v1 HTML")),
    T("shin2025-squashable-lp-11", "Monotone squashable activations, L^p, (d_x, d_y) = (1, 1): width 2", "fnn",
      SQUASHABLE_MONOTONE, ("lp",), "compact", "exact", TWO, TWO, AT_1_1,
      r"For $d_x=d_y=1$ the minimum width $\max(d_x,d_y,2)=2$ holds when the squashable activation is monotone.",
      SHIN(NOT_IDENTIFIED), False, _ABS.format(where="arXiv 2504.07371 v1 HTML")),
    # ---------------- Song, Hwang, Lee, Kang (JMLR 2023): deep RNN, LSTM, GRU, BRNN ----------------
    T("song2023-rnn-uniform", "Deep ReLU RNN, uniform: width d_x+d_y+3 suffices", "rnn", RELU, ("uniform",),
      "compact", "upper", None, DX_DY_3, ALWAYS,
      r"A deep ReLU RNN of width $d_x+d_y+3$ approximates every continuous past-dependent sequence-to-sequence map "
      r"$K^N\to\mathbb R^{d_y\times N}$ uniformly; the width does not depend on $N$.",
      SONG("Theorem 5"), False,
      "The JMLR abstract states d_x+d_y+3 (the arXiv v1/v2 abstract said d_x+d_y+2). 'Theorem 5' is from the "
      "reference notes, whose author read the JMLR text; not re-read here.",
      notes="The published bound is +3; the notes find the proof's count internally inconsistent and an explicit "
      "+2 construction [worked out]. +3 is followed here."),
    # uat's own worked-out construction (not a published theorem): docs/rnn.md, constructions/_rnn_gated.py.
    T("uat2026-rnn-uniform-gated", "Deep ReLU RNN, uniform: width d_x+d_y+2 suffices (uat's gated construction)",
      "rnn", RELU, ("uniform",), "compact", "upper", None, DX_DY_2, ALWAYS,
      r"A deep ReLU RNN of width $d_x+d_y+2$ (linear lift and readout) approximates every continuous past-dependent "
      r"map $K^N\to\mathbb R^{d_y\times N}$ uniformly: it realises $\mathrm{const}+\sum_u w_u\,\mathrm{relu}"
      r"(\alpha_u\cdot x[1..t_u]+c_u)$ at time $t_u$ *exactly* (gated blocks), and per-time shallow ReLU networks "
      r"are uniformly dense.",
      SONG("uat's worked-out construction after Theorem 5 (docs/rnn.md), not a published theorem"), False,
      "NOT A PUBLISHED RESULT: the explicit construction of docs/rnn.md (channels v, a, s, w; positive offsets keep "
      "pass-through channels exact; one gated integrator per unit), checked by the verifier on every witness "
      "(constructions rnn-uniform, brnn-uniform). It follows the plan of Song et al.'s proof of Theorem 5; the "
      "reference notes (rnn_deepsets.md A4) record it as [worked out, measured].",
      notes="The published bound stays song2023-rnn-uniform (+3); the arXiv v1/v2 abstract of Song et al. said +2. "
      "The width does not depend on N; depth grows with N and the number of per-time units."),
    T("uat2026-brnn-uniform-gated", "Deep ReLU BRNN, uniform: width d_x+d_y+2 suffices (uat's gated construction)",
      "brnn", RELU, ("uniform",), "compact", "upper", None, DX_DY_2, ALWAYS,
      r"The bidirectional version of uat2026-rnn-uniform-gated: the integrator is a forward and a backward cell, so a "
      r"deep ReLU BRNN of width $d_x+d_y+2$ approximates every continuous sequence-to-sequence map uniformly.",
      SONG("uat's worked-out construction after Theorem 22 (docs/rnn.md), not a published theorem"), False,
      "NOT A PUBLISHED RESULT: the construction brnn-uniform of docs/rnn.md, checked by the verifier on every "
      "witness; it follows the plan of Song et al.'s proof of Theorem 22.",
      notes="The published bound stays song2023-brnn (+3)."),
    T("song2023-rnn-lp", "Deep ReLU RNN, L^p on R^(dx x N): exactly max(d_x+1, d_y)", "rnn", RELU, ("lp",), "whole",
      "exact", MAX_DX1_DY, MAX_DX1_DY, ALWAYS,
      r"Deep ReLU RNNs of width $\max(d_x+1,d_y)$ are dense in $L^p(\mathbb R^{d_x\times N},\mathbb R^{d_y\times N})$ "
      r"for past-dependent maps, and no smaller width is.",
      SONG("Theorem 15 and Table 1"), False,
      "The JMLR abstract states max{d_x+1, d_y}; optimality (Table 1) is from the notes (N = 1 reduces to an MLP, "
      "Park et al.). 'Theorem 15' is from the notes.",
      notes="Optimality: with N = 1 an RNN is an MLP, so Park's lower bound applies."),
    T("song2023-rnn-tanh", "Deep tanh RNN, uniform: width d_x+d_y+3 suffices", "rnn", TANH, ("uniform",), "compact",
      "upper", None, DX_DY_3, ALWAYS,
      r"Theorem 5 with $\alpha(\tanh)=0$: width $d_x+d_y+3$ for uniform approximation.",
      SONG("Theorem 5 (alpha(sigma)), Appendix B"), False,
      "From the notes' summary of the JMLR text; the abstract only says extra width is computed for 'sigmoid or more'."),
    T("song2023-rnn-tanh-lp", "Deep tanh RNN, L^p on compacts: width max(d_x+1, d_y)+1 suffices", "rnn", TANH,
      ("lp",), "compact", "upper", None, MAX_DX1_DY_PLUS1, ALWAYS,
      r"Non-degenerate $\sigma$: width $\max(d_x+1,d_y)+1$ for $L^p$ approximation on $K^N$.",
      SONG("Theorem 15"), False, "From the notes' summary of the JMLR text."),
    T("song2023-rnn-sigmoid", "Deep sigmoid RNN, uniform: width d_x+d_y+4 suffices", "rnn", SIGMOID, ("uniform",),
      "compact", "upper", None, DX_DY_4, ALWAYS,
      r"Theorem 5 with $\alpha(\mathrm{sigmoid})=1$ (no zero of $\sigma$): width $d_x+d_y+4$.",
      SONG("Theorem 5 (alpha(sigma)), Appendix B"), False, "From the notes' summary of the JMLR text."),
    T("song2023-rnn-sigmoid-lp", "Deep sigmoid RNN, L^p on compacts: width max(d_x+1, d_y)+1 suffices", "rnn",
      SIGMOID, ("lp",), "compact", "upper", None, MAX_DX1_DY_PLUS1, ALWAYS,
      r"Non-degenerate $\sigma$: width $\max(d_x+1,d_y)+1$ for $L^p$ approximation on $K^N$.",
      SONG("Theorem 15"), False, "From the notes' summary of the JMLR text."),
    T("song2023-lstm", "Deep LSTM, uniform: width d_x+d_y+3 suffices", "lstm", CELL, ("uniform",), "compact", "upper",
      None, DX_DY_3, ALWAYS, r"Deep LSTMs of width $d_x+d_y+3$ are universal for continuous past-dependent maps.",
      SONG("Corollary 16"), False, "From the notes' summary of the JMLR text.",
      notes="Proof: with the forget-gate bias to -infinity the cell becomes an RNN with activation (tanh/2)o(tanh/2)."),
    T("song2023-lstm-lp", "Deep LSTM, L^p: width max(d_x+1, d_y)+1 suffices", "lstm", CELL, ("lp",), "compact",
      "upper", None, MAX_DX1_DY_PLUS1, ALWAYS, r"Deep LSTMs of width $\max(d_x+1,d_y)+1$ are $L^p$-universal.",
      SONG("Corollary 16"), False, "From the notes' summary of the JMLR text."),
    T("song2023-gru", "Deep GRU, uniform: width d_x+d_y+3 suffices", "gru", CELL, ("uniform",), "compact", "upper",
      None, DX_DY_3, ALWAYS, r"Deep GRUs of width $d_x+d_y+3$ are universal for continuous past-dependent maps.",
      SONG("Corollary 17"), False, "From the notes' summary of the JMLR text."),
    T("song2023-gru-lp", "Deep GRU, L^p: width max(d_x+1, d_y)+1 suffices", "gru", CELL, ("lp",), "compact", "upper",
      None, MAX_DX1_DY_PLUS1, ALWAYS, r"Deep GRUs of width $\max(d_x+1,d_y)+1$ are $L^p$-universal.",
      SONG("Corollary 17"), False, "From the notes' summary of the JMLR text."),
    T("song2023-brnn", "Deep ReLU BRNN, uniform: width d_x+d_y+3 suffices", "brnn", RELU, ("uniform",), "compact",
      "upper", None, DX_DY_3, ALWAYS,
      r"Deep bidirectional ReLU RNNs of width $d_x+d_y+3$ approximate every continuous (non-causal) "
      r"sequence-to-sequence map uniformly.",
      SONG("Theorem 22"), False,
      "The JMLR abstract says BRNN universality is proved; the width and number are from the notes."),
    T("song2023-brnn-lp", "Deep ReLU BRNN, L^p: width max(d_x+1, d_y) suffices", "brnn", RELU, ("lp",), "compact",
      "upper", None, MAX_DX1_DY, ALWAYS,
      r"Deep bidirectional ReLU RNNs of width $\max(d_x+1,d_y)$ are dense in $L^p$ for sequence-to-sequence maps.",
      SONG("Theorem 23"), False, "From the notes' summary of the JMLR text.",
      notes="Recorded on compact domains (the notes do not say whether Theorem 23 is on the whole space)."),
    # ---------------- Wang, Yang, Li, Wang, Li (ICLR 2024): DeepSets ----------------
    T("wang2024-deepsets-lp", "DeepSets, LP embedding: N(D+1) <= L <= N^5 D^2", "deepsets", POWER, ("exact",),
      "compact", "bounds", N_D1, N5_D2, D_GE_2,
      r"For $D\ge2$ every continuous permutation-invariant $f:K^{N\times D}\to\mathbb R$ is "
      r"$\rho(\sum_n\phi(x^{(n)}))$ exactly with the linear+power embedding $\phi$ of some latent width "
      r"$L\in[N(D+1),\,N^5D^2]$; no LP embedding of width $\le N(D+1)-1$ works.",
      WANG("Theorem 3.1 (LP part)"), True,
      "Read in the paper's own text, but in its NeurIPS 2023 submission version (anonymous PDF text kept in a public "
      "GitHub repository, file opening 'Polynomial Width is Sufficient for Set Representation with High-dimensional "
      "Features / Anonymous Author(s)'): 'Theorem 3.1 (The main result). Suppose D >= 2', with L in [N(D+1), N^5 D^2] "
      "for phi(x) = [psi_N(w_1 x) ... psi_N(w_K x)], K = L/N; the lower bound is that submission's Theorem 4.6 "
      "(if K <= D, for every w_1..w_K some X, X' that are not row permutations of each other have Xw_i ~ X'w_i for "
      "all i). The ICLR 2024 camera-ready text was not read; ICLR 2024 reviewers (OpenReview reviews, GitHub copy) "
      "summarise the same result as 'Thm 3.1' and the equivariant one as 'Thm 5.1', as the submission numbers them.",
      notes="Exact representation, not approximation: the norm is 'exact'. The submission states Theorem 3.1 for any "
      "K contained in R (not only compact K). Lemma numbers in its Section 4 changed between the submission and the "
      "ICLR version (the reviewers' Lemma 4.2 is the submission's Lemma 4.4), so only the number of Theorem 3.1 is "
      "claimed. Tightness is open (the submission lists it as a limitation).", params=("N", "D")),
    T("wang2024-deepsets-le", "DeepSets, LE embedding: N D <= L <= N^4 D^2", "deepsets", EXP, ("exact",), "compact",
      "bounds", N_D, N4_D2, D_GE_2,
      r"For $D\ge2$ the linear+exponential embedding represents every continuous permutation-invariant $f$ exactly "
      r"with latent width $L\le N^4D^2$; any continuous sum-decomposition needs $L\ge ND$.",
      WANG("Theorem 3.1 (LE part, final version)"), False,
      "Upper bound N^4 D^2 compared with abstract-level summaries of the final version; the final text was not read. "
      "The ICLR 2024 abstract (OpenReview) names the two embeddings 'linear + power activation (LP)' and 'linear + "
      "exponential activations (LE)' and gives a lower bound only for LP. The NeurIPS 2023 submission text (read in "
      "full) has a different second embedding in its Theorem 3.1, 'logarithm activations + linear layer + exponential "
      "activations (LLE)' on the positive orthant, with L in [ND, 2N^2 D^2], and calls N D 'a trivial bound due to "
      "the degree of freedom of the input'. The lower bound N D recorded here is that dimension count.",
      notes="The submission's 2N^2 D^2 LLE bound rests on its Lemma 4.9 (if every pair of columns of X agrees, up to "
      "a row permutation, with the same pair of columns of X', then X ~ X'), read in the submission text; it is false (e.g. the even- and odd-weight 0/1 vectors of length 3 "
      "agree on every pair of columns), as the reference notes show. The final N^4 D^2 is recorded; its theorem "
      "number and proof were not read.", params=("N", "D")),
)
