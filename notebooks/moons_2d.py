# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Two moons in two dimensions
#
# Two questions can be asked of a fitted density model. *How probable does it find data
# it has never seen?* That is the held-out log-likelihood. *Do the points it generates
# look like real data?* That is what the squared maximum mean discrepancy (MMD²
# {cite:p}`gretton2012kernel`; definitions in {doc}`../book/methods`) measures, by comparing
# a generated sample with a test sample through a kernel. This chapter asks the second
# question, and checks it against the first, on the two-moons distribution: two
# interleaved half circles with Gaussian noise (the shape of scikit-learn's `make_moons`,
# but with every point an independent draw). In two dimensions every density and every
# sample can also be looked at, so the numbers can be checked by eye.
#
# Five estimators are fitted, and the hyper-parameter that sets the flexibility of each
# is swept: the number of bins per axis of a **2-D histogram**, the number of components
# $K$ of a **Gaussian mixture** (GMM, fitted by EM), the bandwidth $h$ of a **Gaussian
# kernel density estimate** (KDE), and the least number of points per leaf $n_\text{min}$
# of a **density forest** {cite:p}`criminisi2011decision`; a **single Gaussian** is the
# baseline. We want to know
#
# 1. which setting of each model gives the most realistic samples, and whether that
#    depends on the amount of training data;
# 2. how large the noise of MMD² is, so that differences can be read (a single Gaussian
#    and a one-component GMM are the same model and must score alike);
# 3. whether MMD² and the held-out log-likelihood pick the same settings;
# 4. whether a small MMD² can hide a model that merely copies its training points.
#
# Every number in the text is computed when the notebook runs; the first code cell holds
# all parameters, so the study can be rerun with others (see {doc}`../book/reproduce`).

# %% tags=["parameters"]
seed = 0  # master seed: training and test sets, every fit and every sample
train_sizes = [100, 200, 500, 1000]  # training points per training set
repeats = 5  # independent training sets per size
n_test = 2000  # points of the test set the samples are compared with
n_generated = 2000  # points drawn from each fitted model
noise = 0.1  # standard deviation of the noise around the two half circles
hist_bins = [10, 20, 30, 50, 80]  # histogram: bins per axis
gmm_components = [1, 2, 3, 5, 8, 12]  # GMM: number of components K
kde_bandwidths = [0.05, 0.1, 0.2, 0.3]  # KDE: bandwidth h
forest_n_min = [10, 20, 50, 100]  # density forest: least points per leaf
n_jobs = 2  # parallel fits
output_dir = "results"  # receives moons_2d.csv

# %% tags=["hide-input"]
# Validate every parameter before any computation: a bad value stops here, named.
from densitylab.experiments import check_grid, check_scalar_param, from_text

seed = check_scalar_param(from_text(seed, "seed"), "seed", integer=True, minimum=0)
train_sizes = check_grid(
    from_text(train_sizes, "train_sizes"), "train_sizes", integer=True, minimum=2
)
repeats = check_scalar_param(from_text(repeats, "repeats"), "repeats", integer=True, minimum=1)
n_test = check_scalar_param(from_text(n_test, "n_test"), "n_test", integer=True, minimum=2)
n_generated = check_scalar_param(
    from_text(n_generated, "n_generated"), "n_generated", integer=True, minimum=2
)
noise = check_scalar_param(from_text(noise, "noise"), "noise", minimum=0)
hist_bins = check_grid(from_text(hist_bins, "hist_bins"), "hist_bins", integer=True, minimum=1)
gmm_components = check_grid(
    from_text(gmm_components, "gmm_components"), "gmm_components", integer=True, minimum=1
)
if max(gmm_components) > min(train_sizes):
    raise ValueError(
        f"gmm_components holds K = {max(gmm_components)}, more components than the smallest "
        f"training set has points ({min(train_sizes)}); lower K or raise train_sizes."
    )
kde_bandwidths = check_grid(
    from_text(kde_bandwidths, "kde_bandwidths"), "kde_bandwidths", minimum=0, exclusive=True
)
forest_n_min = check_grid(
    from_text(forest_n_min, "forest_n_min"), "forest_n_min", integer=True, minimum=1
)
n_jobs = from_text(n_jobs, "n_jobs")
if n_jobs is not None and n_jobs != -1:
    n_jobs = check_scalar_param(n_jobs, "n_jobs", integer=True, minimum=1)
if not isinstance(output_dir, str) or not output_dir.strip():
    raise ValueError(f"output_dir must be a non-empty folder name, got {output_dir!r}.")

# %% tags=["remove-cell"]
# Plumbing: imports and the helpers that turn results into glued numbers and sentences.
import math
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Image, Markdown
from myst_nb import glue

from densitylab import plotting
from densitylab.data import sample_moons
from densitylab.diagnostics import copy_check
from densitylab.experiments import (
    derive_seed,
    describe_trend,
    fit_and_sample,
    make_training_sets,
    near_best,
    run_sweep,
    summarize_sweep,
)
from densitylab.mmd import median_heuristic, mmd2_unbiased, mmd_permutation_test
from densitylab.models import GMM, DensityForest, GaussianKDE, Histogram2D, SingleGaussian

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def rounded(x, digits=3):
    """``x`` to ``digits`` significant digits: glued numbers compare across machines."""
    return float(f"{x:.{digits}g}")


def num(x, digits=2):
    """``x`` with ``digits`` significant digits, as text for a sentence."""
    if x == 0 or not math.isfinite(x):
        return {math.inf: "∞", -math.inf: "−∞"}.get(x, f"{x:g}")
    exponent = math.floor(math.log10(abs(float(f"{x:.{digits}g}"))))
    if -3 <= exponent < 4:
        return f"{x:.{max(digits - 1 - exponent, 0)}f}".replace("-", "−")
    mantissa = f"{x / 10**exponent:.{digits - 1}f}".replace("-", "−")
    return f"{mantissa}·10{str(exponent).translate(SUPERSCRIPT)}"


def listing(items):
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def glue_number(name, x, digits=3):
    value = rounded(x, digits)
    glue(name, value, display=False)
    return value


def glue_text(name, text):
    glue(name, Markdown(text), display=False)


def glue_figure(name, fig):
    """Glue a figure as PNG bytes, for a {glue:figure} with a caption in the book."""
    glue(name, Image(plotting.figure_png(fig)), display=False)


# %% [markdown]
# ## Data and protocol
#
# Every model sees the same training sets: for each of the training sizes
# {glue:md}`moons_train_sizes_text`, {glue:text}`moons_repeats` independent samples of the
# two moons (noise standard deviation {glue:text}`moons_noise`). A separate test set of
# {glue:text}`moons_n_test` points, never used for fitting, is what generated samples are
# compared with. Each fitted model draws {glue:text}`moons_n_generated` points, and the
# MMD² between those and the test set is computed with two kernels: the
# squared-exponential kernel $k(x, y) = \exp(-\lVert x-y \rVert^2/\sigma^2)$ (SE) and the
# inverse multiquadric kernel $k(x, y) = (1 + \lVert x-y \rVert^2/\sigma^2)^{-1/2}$ (IMQ).
# Both use one bandwidth $\sigma$ (called $h$ in {doc}`../book/methods`; here $h$ is the
# KDE's), set by the median heuristic on the test set: $\sigma$ =
# {glue:text}`moons_median_bandwidth`, {glue:md}`moons_sigma_scale`. The same test set
# also gives the held-out log-likelihood. All randomness comes from one master seed: each
# training set, and each fit-and-sample task, has its own seed derived from it, so any
# single result can be recomputed alone.
#
# The MMD² estimate is unbiased: for two independent samples of one distribution it is 0
# on average and can come out slightly negative. To see where the floor lies for *this*
# test set, we also score a perfect generator: points drawn at random from a large fresh
# sample of the two moons. {glue:md}`moons_floor_claim` The spread of repeated
# measurements, shown as bands in the figures below, says which other differences are
# real.

# %% tags=["remove-cell"]
X_test = sample_moons(n_test, noise=noise, random_state=derive_seed(seed, "test"))
training_sets = make_training_sets(
    lambda n, rs: sample_moons(n, noise=noise, random_state=rs),
    train_sizes,
    repeats,
    seed=seed,
)
h_med = median_heuristic(X_test)
n_max = max(train_sizes)

glue_text("moons_train_sizes_text", listing(train_sizes))
glue("moons_repeats", repeats, display=False)
glue("moons_noise", noise, display=False)
glue("moons_n_test", n_test, display=False)
glue("moons_n_generated", n_generated, display=False)
glue("moons_n_max", n_max, display=False)
glue_number("moons_median_bandwidth", h_med)
if noise == 0:
    scale_text = "on moons without noise"
elif h_med / noise > 3:
    scale_text = (
        f"{num(h_med / noise)} times the noise standard deviation: the kernels compare "
        "samples at the scale of the moons' shape more than of their thickness"
    )
else:
    scale_text = f"{num(h_med / noise)} times the noise standard deviation"
glue_text("moons_sigma_scale", scale_text)

# %% tags=["remove-input", "nbval-check-output"]
# A perfect generator: n_generated points drawn at random from a fresh sample 50 times as
# large, i.e. an independent sample of the two-moons distribution.
floor_rows = []
for r in range(repeats):
    pool = sample_moons(50 * n_generated, noise=noise, random_state=derive_seed(seed, "pool", r))
    pick = np.random.default_rng(derive_seed(seed, "pick", r))
    X_perfect = pool[pick.choice(len(pool), n_generated, replace=False)]
    for kernel in ("se", "imq"):
        mmd2 = mmd2_unbiased(X_perfect, X_test, kernel=kernel, bandwidth=h_med)
        floor_rows.append({"repeat": r, "kernel": kernel, "mmd2": mmd2})
floor = pd.DataFrame(floor_rows).groupby("kernel")["mmd2"].agg(["mean", "std", "count"])
floor_line = floor["mean"].to_dict()  # dashed reference line of the MMD² figures
se_floor = floor.loc["se"]
glue_number("moons_floor_se", se_floor["mean"])
glue_number("moons_floor_imq", floor.loc["imq", "mean"])
floor_text = (
    f"It scores {num(se_floor['mean'])} with the SE kernel and "
    f"{num(floor.loc['imq', 'mean'])} with IMQ (means over {repeats} draws"
)
floor_se = se_floor["std"] / math.sqrt(se_floor["count"])
if math.isfinite(floor_se):
    floor_text += f"; standard error {num(floor_se)} for SE). "
    if abs(se_floor["mean"]) > 2 * floor_se:
        floor_text += (
            "That is further from 0 than the spread of the generator's draws explains. "
            "The rest comes from the test set: it is one random sample too, and its own "
            "kernel term, part of every MMD² against it, is off its expectation by chance. "
            "The offset is the same for every model and so changes no comparison; the "
            "dashed lines in the MMD² figures mark it."
        )
    else:
        floor_text += "That is 0 within its noise; the dashed lines in the MMD² figures mark it."
else:
    floor_text += "). The dashed lines in the MMD² figures mark it."
glue_text("moons_floor_claim", floor_text)
print(floor.round(5))

# %% tags=["hide-input"]
# Every sweep: same training sets, same test set, SE and IMQ at the median-heuristic
# bandwidth, held-out log-likelihood on the test set. Results are tidy tables.
references = {"test": X_test}
options = {
    "bandwidths": {"test": [h_med]},
    "kernels": ("se", "imq"),
    "n_generated": n_generated,
    "heldout": X_test,
    "seed": seed,
    "n_jobs": n_jobs,
}
hist = run_sweep(Histogram2D(), "bins", hist_bins, training_sets, references, **options)
gauss = run_sweep(SingleGaussian(), "reg_covar", [1e-6], training_sets, references, **options)
gmm = run_sweep(GMM(), "n_components", gmm_components, training_sets, references, **options)
kde = run_sweep(
    GaussianKDE(),
    "bandwidth",
    kde_bandwidths,
    training_sets,
    references,
    copy_check=True,
    **options,
)
forest = run_sweep(DensityForest(), "n_min", forest_n_min, training_sets, references, **options)
results = pd.concat([hist, gauss, gmm, kde, forest], ignore_index=True)

# %% tags=["remove-cell"]
# The claims of each sweep section, computed from the results.
NAMES = {
    "Histogram2D": "histogram",
    "SingleGaussian": "single Gaussian",
    "GMM": "GMM",
    "GaussianKDE": "KDE",
    "DensityForest": "density forest",
}
SETTING = {  # how a value of each swept parameter reads in a sentence
    "bins": lambda v: f"{v:g} bins",
    "n_components": lambda v: f"K = {v:g}",
    "bandwidth": lambda v: f"h = {v:g}",
    "n_min": lambda v: f"n_min = {v:g}",
    "reg_covar": lambda v: "",
}


def summary_of(df, kernel="se", columns=("mmd2",)):
    return summarize_sweep(df[df["kernel"] == kernel], columns=columns)


def best_setting(df, n, kernel="se", column="mmd2", minimize=True):
    """Best value at training size n by the mean of column, and the values near it."""
    s = summary_of(df, kernel, (column,))
    s = s[s["n_train"] == n].sort_values("value")
    values = s["value"].tolist()
    means = s[f"{column}_mean"].to_numpy()
    if not np.isfinite(means).any():
        return None, []
    near = near_best(values, means, s[f"{column}_se"], minimize=minimize)
    finite = np.where(np.isfinite(means), means if minimize else -means, np.inf)
    return values[int(np.argmin(finite))], near


def sweep_claim(df):
    """A paragraph on one sweep: trend at the largest n, best value, noise, other sizes."""
    param = df["param"].iloc[0]
    say = SETTING[param]
    s = summary_of(df)
    top = s[s["n_train"] == n_max].sort_values("value")
    values, means, ses = top["value"].to_numpy(), top["mmd2_mean"], top["mmd2_se"]
    best, near = best_setting(df, n_max)
    best_row = top[top["value"] == best].iloc[0]
    text = f"With {n_max} training points, the mean MMD² (SE kernel) "
    if len(values) > 1:
        text += (
            f"{describe_trend(values, means, [say(v) for v in values])} along the grid, "
            f"from {num(means.iloc[0])} at "
            f"{say(values[0])} to {num(means.iloc[-1])} at {say(values[-1])}. "
        )
    else:
        text += f"is {num(means.iloc[0])} at {say(values[0])}. "
    text += (
        f"It is lowest at **{say(best)}** ({num(best_row['mmd2_mean'])} ± "
        f"{num(best_row['mmd2_se'])}, mean ± standard error over {repeats} repeats)"
    )
    others = [v for v in near if v != best]
    if not np.isfinite(ses).all():
        text += "; one repeat gives no standard error, so closeness cannot be judged. "
    elif others:
        text += (
            f"; {listing(say(v) for v in others)} "
            f"{'is' if len(others) == 1 else 'are'} within two standard errors of it, "
            "so these repeats cannot separate them. "
        )
    else:
        text += "; no other setting comes within two standard errors of it. "
    imq_best, _ = best_setting(df, n_max, kernel="imq")
    text += (
        f"The IMQ kernel {'agrees' if imq_best == best else 'disagrees'}: its lowest mean is "
        f"at {say(imq_best)}. "
    )
    if len(train_sizes) > 1:
        per_size = [best_setting(df, n)[0] for n in train_sizes]
        text += (
            f"The best setting for n = {listing(train_sizes)} is "
            f"{listing(say(v) for v in per_size)}, respectively."
        )
    return best, text


# %% [markdown]
# ## The histogram: how many bins?
#
# The histogram spreads the training points over a grid of equal cells spanning their
# range and generates points by choosing a cell with probability proportional to its
# count, then a uniform position inside it. Few bins blur the two moons into blocks;
# many bins leave most cells empty and reproduce the accidents of the training sample.
#
# ```{glue:figure} moons_fig_hist
# :name: fig-moons-hist
#
# Histogram: MMD² between generated and test points against the number of bins per axis,
# for each training size. Lines are means over the repeats; bands span ±1 standard
# deviation of the single runs. Left: SE kernel, right: IMQ kernel. The dashed line is
# the score of a perfect generator (see above).
# ```
#
# {glue:md}`moons_hist_claim`

# %% tags=["remove-input", "nbval-check-output"]
best_bins, claim = sweep_claim(hist)
glue("moons_best_bins", int(best_bins), display=False)
glue_text("moons_hist_claim", claim)
print(f"best bins per axis at n = {n_max}: {best_bins}")

# %% tags=["remove-input"]
glue_figure("moons_fig_hist", plotting.plot_sweep(hist, hline=floor_line))

# %% [markdown]
# ## The Gaussian mixture: how many components?
#
# A GMM with $K$ components places $K$ ellipses along the moons; EM fits their weights,
# centres and shapes. One component is a single ellipse over both moons; enough
# components trace the half circles.
#
# ```{glue:figure} moons_fig_gmm
# :name: fig-moons-gmm
#
# GMM: MMD² against the number of components $K$, mean over repeats with ±1 standard
# deviation bands, per training size; SE kernel left, IMQ right; dashed: perfect generator.
# ```
#
# {glue:md}`moons_gmm_claim`

# %% tags=["remove-input", "nbval-check-output"]
best_K, claim = sweep_claim(gmm)
glue("moons_best_K", int(best_K), display=False)
glue_text("moons_gmm_claim", claim)
print(f"best K at n = {n_max}: {best_K}")

# %% tags=["remove-input"]
glue_figure("moons_fig_gmm", plotting.plot_sweep(gmm, hline=floor_line))

# %% [markdown]
# ## The kernel density estimate: which bandwidth?
#
# The KDE places a Gaussian of standard deviation $h$ on every training point; sampling
# it means picking a training point at random and adding Gaussian noise of that size. A
# small $h$ keeps the thin moons thin but stays close to the training points; a large $h$
# smears the moons into each other.
#
# ```{glue:figure} moons_fig_kde
# :name: fig-moons-kde
#
# KDE: MMD² against the bandwidth $h$, mean over repeats with ±1 standard deviation
# bands, per training size; SE kernel left, IMQ right; dashed: perfect generator.
# ```
#
# {glue:md}`moons_kde_claim`

# %% tags=["remove-input", "nbval-check-output"]
best_h, claim = sweep_claim(kde)
glue_number("moons_best_bandwidth", best_h)
glue_text("moons_kde_claim", claim)
print(f"best KDE bandwidth at n = {n_max}: {best_h}")

# %% tags=["remove-input"]
glue_figure("moons_fig_kde", plotting.plot_sweep(kde, hline=floor_line))

# %% [markdown]
# ## The density forest: how small may a leaf be?
#
# Each tree of the forest splits the plane, axis by axis, where a Gaussian fit to each
# side gains the most information, as long as both sides keep at least $n_\text{min}$
# points; each leaf holds a Gaussian. The forest averages its trees (each grown on a
# bootstrap sample), and samples by picking a tree, a leaf and then a point from the
# leaf's Gaussian. A large $n_\text{min}$ allows few splits, and with $n_\text{min}$ above
# half the training size no split at all: the forest is then one Gaussian.
#
# ```{glue:figure} moons_fig_forest
# :name: fig-moons-forest
#
# Density forest: MMD² against the least number of points per leaf $n_\text{min}$,
# mean over repeats with ±1 standard deviation bands, per training size; SE kernel left,
# IMQ right; dashed: perfect generator.
# ```
#
# {glue:md}`moons_forest_claim`

# %% tags=["remove-input", "nbval-check-output"]
best_n_min, claim = sweep_claim(forest)
glue("moons_best_n_min", int(best_n_min), display=False)
glue_text("moons_forest_claim", claim)
print(f"best n_min at n = {n_max}: {best_n_min}")

# %% tags=["remove-input"]
glue_figure("moons_fig_forest", plotting.plot_sweep(forest, hline=floor_line))

# %% [markdown]
# ## A sanity check: one Gaussian, two implementations
#
# A GMM with one component is a single Gaussian: EM's first step already gives the
# maximum-likelihood mean and covariance. Fitted on the same training set, the two models
# are the same density, so any difference between their MMD² values is noise, from their
# two independent generated samples. This measures the noise of a single MMD² value
# directly, for this model.
#
# ```{glue:figure} moons_fig_sg_gmm1
# :name: fig-moons-sg-gmm1
#
# Single Gaussian and GMM with $K = 1$, fitted on the same training sets: MMD² against
# the training size, mean over repeats with ±1 standard deviation bands; SE kernel left,
# IMQ right; dashed: perfect generator. For one and the same model the lines agree within
# their bands.
# ```
#
# {glue:md}`moons_sg_gmm1_claim`

# %% tags=["remove-input", "nbval-check-output"]
gmm1 = gmm[gmm["value"] == 1]
if gmm1.empty:  # K = 1 not in the grid: fit it for this check only
    gmm1 = run_sweep(GMM(), "n_components", [1], training_sets, references, **options)
pair = gauss.merge(gmm1, on=["n_train", "repeat", "kernel"], suffixes=("_sg", "_gmm"))
pair["diff"] = pair["mmd2_sg"] - pair["mmd2_gmm"]
se_pairs = pair[pair["kernel"] == "se"]
diff_mean = se_pairs["diff"].mean()
diff_sd = se_pairs["diff"].std(ddof=1) if len(se_pairs) > 1 else math.nan
diff_se = diff_sd / math.sqrt(len(se_pairs))
within = bool(abs(diff_mean) <= 2 * diff_se) if math.isfinite(diff_se) else None

# The two fitted Gaussians themselves, on every training set.
gap = 0.0
for ts in training_sets:
    g_sg, X_sg = fit_and_sample(SingleGaussian(), "reg_covar", 1e-6, ts, n_generated=2, seed=seed)
    g_1, _ = fit_and_sample(GMM(), "n_components", 1, ts, n_generated=2, seed=seed)
    gap = max(
        gap,
        np.abs(g_sg.mean_ - g_1.means_[0]).max(),
        np.abs(g_sg.covariance_ - g_1.covariances_[0]).max(),
    )

# One pair of samples tested directly: a permutation test of "same distribution".
largest = next(ts for ts in training_sets if ts.n_train == n_max)
_, X_sg = fit_and_sample(
    SingleGaussian(), "reg_covar", 1e-6, largest, n_generated=n_generated, seed=seed
)
_, X_g1 = fit_and_sample(GMM(), "n_components", 1, largest, n_generated=n_generated, seed=seed)
perm = mmd_permutation_test(
    X_sg,
    X_g1,
    kernel="se",
    bandwidth=h_med,
    n_permutations=200,
    random_state=derive_seed(seed, "permutation"),
)

glue_number("moons_sg_gmm1_diff", diff_mean)
glue_number("moons_noise_level", diff_sd)
glue_number("moons_sg_gmm1_param_gap", gap, digits=1)
glue_number("moons_sg_gmm1_p_value", perm.p_value, digits=2)
sentence = (
    f"The largest difference between the fitted means and covariances of the two models, "
    f"over all {len(training_sets)} training sets, is {num(gap, 1)}: they are the same "
    f"Gaussian up to rounding. Their MMD² values (SE kernel) differ by "
    f"{num(diff_mean)} on average over the {len(se_pairs)} paired runs; the difference "
    f"between two samples of one density has a standard deviation of {num(diff_sd)}, the "
    f"noise level of one comparison. "
)
if within is None:
    sentence += "With a single run the noise cannot be estimated. "
else:
    sentence += (
        f"The mean difference is {num(abs(diff_mean) / diff_se)} standard errors from 0, "
        f"**{'within' if within else 'outside'} the noise**. "
    )
null_sd = np.std(perm.null_statistics, ddof=1)
sentence += (
    f"A permutation test of the two samples of the first training set with "
    f"{n_max} points, which asks whether they come from one distribution, gives "
    f"p = {num(perm.p_value)}; its null distribution of MMD² has a standard deviation of "
    f"{num(null_sd)}. "
)
if math.isfinite(diff_sd) and diff_sd > 2 * null_sd:
    sentence += (
        "The noise between two samples of the single Gaussian is larger than this null "
        "spread: the variance of MMD² grows with the distance between the distributions "
        f"compared, and the single Gaussian is far from the test data (MMD² ≈ "
        f"{num(se_pairs['mmd2_sg'].mean())}). Near the best settings of the other models the "
        "noise is much smaller, as the narrow bands of their sweeps show."
    )
glue_text("moons_sg_gmm1_claim", sentence)
print(f"SG - GMM(1): mean {rounded(diff_mean, 2)}, sd {rounded(diff_sd, 2)}, within: {within}")

# %% tags=["remove-input"]
glue_figure(
    "moons_fig_sg_gmm1",
    plotting.plot_sweep(
        pd.concat([gauss.assign(model="single Gaussian"), gmm1.assign(model="GMM, K = 1")]),
        x="n_train",
        line="model",
        hline=floor_line,
    ),
)

# %% [markdown]
# ## What the models look like
#
# For one training set of {glue:text}`moons_n_max` points, each model at its best setting
# (lowest mean SE MMD² at that size): the density with the training points, and the
# generated points over the test points. These are exactly the fits and samples the
# sweeps measured.
#
# ```{glue:figure} moons_fig_gallery
# :name: fig-moons-gallery
#
# Left: density of each fitted model (darker is denser) with its training points.
# Right: its generated points (orange) over the test points (grey). One training set of
# the largest size; each model at the setting with the lowest mean SE MMD².
# ```
#
# {glue:md}`moons_gallery_claim`

# %% tags=["remove-input"]
best = {
    "Histogram2D": ("bins", best_bins, Histogram2D()),
    "SingleGaussian": ("reg_covar", 1e-6, SingleGaussian()),
    "GMM": ("n_components", best_K, GMM()),
    "GaussianKDE": ("bandwidth", best_h, GaussianKDE()),
    "DensityForest": ("n_min", best_n_min, DensityForest()),
}
fitted, generated, scoreboard = {}, {}, []
for model_name, (param, value, template) in best.items():
    title = f"{NAMES[model_name]}, {SETTING[param](value)}".rstrip(", ")
    fitted[title], generated[title] = fit_and_sample(
        template, param, value, largest, n_generated=n_generated, seed=seed
    )
    row = results.query(
        "model == @model_name and value == @value and n_train == @n_max and repeat == 0"
    )
    copies = copy_check(generated[title], largest.X, X_test)
    scoreboard.append(
        {
            "model": title,
            "MMD² (SE)": rounded(row.loc[row["kernel"] == "se", "mmd2"].iloc[0], 2),
            "MMD² (IMQ)": rounded(row.loc[row["kernel"] == "imq", "mmd2"].iloc[0], 2),
            "held-out log-likelihood": rounded(row["heldout_loglik"].iloc[0], 3),
            "flagged as copies": rounded(copies.share, 2),
        }
    )
scoreboard = pd.DataFrame(scoreboard)
glue_figure(
    "moons_fig_gallery",
    plotting.plot_model_gallery(fitted, largest.X, generated, X_test, grid_size=100),
)
order = scoreboard.sort_values("MMD² (SE)")
glue_text(
    "moons_gallery_claim",
    f"On this training set, the samples rank by SE MMD² as {listing(order['model'])} "
    f"(from {num(order['MMD² (SE)'].iloc[0])} to {num(order['MMD² (SE)'].iloc[-1])}); "
    "the table below gives the numbers.",
)

# %% tags=["remove-input", "nbval-check-output"]
scoreboard

# %% [markdown]
# ## Held-out log-likelihood beside MMD²
#
# Maximum likelihood would choose the setting under which the test points are most
# probable. Does it choose the setting whose samples look most like them?
#
# ```{glue:figure} moons_fig_criteria
# :name: fig-moons-criteria
#
# MMD² (SE kernel, left) and mean held-out log-density of the test points (right; higher
# is better) against the hyper-parameter of the GMM, the KDE and the density forest; mean
# over repeats with ±1 standard deviation bands, per training size.
# ```
#
# {glue:md}`moons_criteria_claim`

# %% tags=["remove-input", "nbval-check-output"]
criteria_rows = []
for df in (gmm, kde, forest):
    model_name, param = df["model"].iloc[0], df["param"].iloc[0]
    by_mmd, _ = best_setting(df, n_max)
    by_ll, _ = best_setting(df, n_max, column="heldout_loglik", minimize=False)
    criteria_rows.append((model_name, param, by_mmd, by_ll))
    key = {"GMM": "K", "GaussianKDE": "bandwidth", "DensityForest": "n_min"}[model_name]
    if key == "bandwidth":
        glue_number(f"moons_loglik_best_{key}", by_ll)
    else:
        glue(f"moons_loglik_best_{key}", int(by_ll), display=False)
agree = [NAMES[m] for m, _, a, b in criteria_rows if a == b]
disagree = [
    f"the {NAMES[m]} ({SETTING[p](a)} by MMD², {SETTING[p](b)} by likelihood)"
    for m, p, a, b in criteria_rows
    if a != b
]
text = f"At n = {n_max}, the two criteria pick the same setting for "
text += (listing(agree) if agree else "none of the three models") + "; "
text += ("they differ for " + listing(disagree)) if disagree else "they never differ"
text += ". "
# The histogram: a test point in an empty cell has density 0 and log-likelihood −∞.
hist_se = hist[hist["kernel"] == "se"]
inf_share = float(np.mean(np.isneginf(hist_se["heldout_loglik"])))
glue_number("moons_hist_inf_runs", inf_share, digits=2)
zero = hist_se[hist_se["n_train"] == n_max].groupby("value")["heldout_zero_share"].mean()
if inf_share > 0:
    text += (
        f"The histogram is left out of the figure: in {num(100 * inf_share)}% of its runs "
        "at least one test point falls into an empty cell or outside the training range, "
        "where the histogram's density is 0, so the mean log-likelihood is −∞. "
    )
    if len(zero) > 1:
        text += (
            f"At n = {n_max}, the share of test points with zero density "
            f"{describe_trend(zero.index, zero.to_numpy())} with the number of bins, from "
            f"{num(100 * zero.iloc[0])}% at {SETTING['bins'](zero.index[0])} to "
            f"{num(100 * zero.iloc[-1])}% at {SETTING['bins'](zero.index[-1])}. "
        )
    text += (
        "Where every repeat is −∞, the likelihood cannot rank histograms at all; MMD² still can."
        if inf_share == 1
        else "Settings with −∞ can only be ranked last by the likelihood; MMD² ranks them all."
    )
else:
    by_ll, _ = best_setting(hist, n_max, column="heldout_loglik", minimize=False)
    text += (
        "Every test point has a positive histogram density in every run; the likelihood "
        f"prefers {SETTING['bins'](by_ll)}, MMD² {SETTING['bins'](best_bins)}."
    )
glue_text("moons_criteria_claim", text)
print(pd.DataFrame(criteria_rows, columns=["model", "param", "by MMD²", "by likelihood"]))
print(f"histogram runs with log-likelihood -inf: {rounded(inf_share, 2)}")

# %% tags=["remove-input"]
se_rows = pd.concat([gmm, kde, forest]).query("kernel == 'se'")
se_rows = se_rows.assign(model=se_rows["model"].map(NAMES))
glue_figure(
    "moons_fig_criteria",
    plotting.plot_criteria(se_rows, ["mmd2", "heldout_loglik"], row="model"),
)

# %% [markdown]
# ## Does a small bandwidth copy the training set?
#
# A KDE with a tiny bandwidth returns its training points with a little noise. Its
# samples can then look realistic, and even score well, while containing almost nothing
# new. The copy check, after the data-copying test of {cite:t}`meehan2020copying`, measures
# this: for every generated point, the distance to the nearest training point, compared
# with the same distance for the test points. We count the generated points closer to
# the training set than 95% of the test points are; a model that does not copy has about
# 5% of such points.
#
# ```{glue:figure} moons_fig_copy
# :name: fig-moons-copy
#
# KDE: share of generated points nearer to a training point than the 5th percentile of
# the test points' nearest-training-point distances, against the bandwidth, per training
# size; mean over repeats with ±1 standard deviation bands. The dashed line at 5% is the
# share expected of a model that does not copy.
# ```
#
# {glue:md}`moons_copy_claim`

# %% tags=["remove-input", "nbval-check-output"]
copy_rows = kde[kde["kernel"] == "se"]
copy_summary = summarize_sweep(copy_rows, columns=["copy_share"])
h_small = min(kde_bandwidths)
n_small = min(train_sizes)
at_small = copy_summary.query("value == @h_small")
worst = at_small.loc[at_small["copy_share_mean"].idxmax()]
at_best = copy_summary.query("value == @best_h and n_train == @n_max").iloc[0]
top = copy_summary[copy_summary["n_train"] == n_max].sort_values("value")
glue_number("moons_copy_share_small_h", worst["copy_share_mean"], digits=2)
glue_number("moons_copy_share_best_h", at_best["copy_share_mean"], digits=2)
copy_text = (
    f"At the smallest bandwidth, h = {h_small:g}, the share of generated points flagged as "
    f"copies reaches {num(100 * worst['copy_share_mean'])}% (n = {worst['n_train']:g}), "
    f"against the 5% expected without copying. "
)
if len(top) > 1:
    copy_text += (
        f"With {n_max} training points the share "
        f"{describe_trend(top['value'], top['copy_share_mean'])} "
        f"as h grows, from {num(100 * top['copy_share_mean'].iloc[0])}% to "
        f"{num(100 * top['copy_share_mean'].iloc[-1])}%. "
    )
excess = at_best["copy_share_mean"] - 0.05
if not math.isfinite(at_best["copy_share_se"]) or excess <= 2 * at_best["copy_share_se"]:
    copy_level = "no more than expected without copying"
    verdict = f"{copy_level}, within two standard errors"
elif at_best["copy_share_mean"] < 2 * 0.05:
    copy_level = "above the 5% expected by more than two standard errors"
    verdict = f"{copy_level}, yet less than twice it: a mild tendency to reproduce training points"
else:
    copy_level = "at least twice the 5% expected"
    verdict = (
        f"{copy_level}: the samples that match the test set best are, to a good part, "
        "near-copies of training points, which MMD² against the test set does not penalise"
    )
copy_text += (
    f"At the bandwidth MMD² prefers at n = {n_max}, h = {best_h:g}, the share is "
    f"{num(100 * at_best['copy_share_mean'])}% ± {num(100 * at_best['copy_share_se'])}% "
    "(mean ± standard error): "
    f"{verdict}."
)
glue_text("moons_copy_claim", copy_text)
print(copy_summary.query("n_train == @n_max")[["value", "copy_share_mean"]].round(2))

# %% tags=["remove-input"]
glue_figure(
    "moons_fig_copy",
    plotting.plot_sweep(copy_rows, y="copy_share", panel=None, hline=0.05),
)

# %% [markdown]
# ## Summary
#
# {glue:md}`moons_summary`
#
# The full results, one row per model, setting, training size, repeat and kernel, are
# written to `moons_2d.csv` in the output folder; the columns also hold the held-out
# log-likelihood, the copy-check numbers and the time of every fit.

# %% tags=["remove-input", "nbval-check-output"]
ranking = []
for df in (hist, gauss, gmm, kde, forest):
    s_ = summary_of(df)
    s_ = s_[s_["n_train"] == n_max]
    row = s_.loc[s_["mmd2_mean"].idxmin()]
    ranking.append(
        {
            "model": df["model"].iloc[0],
            "setting": SETTING[df["param"].iloc[0]](row["value"]),
            "mean": row["mmd2_mean"],
            "se": row["mmd2_se"],
        }
    )
ranking.sort(key=lambda r: r["mean"])
glue_text("moons_best_model", NAMES[ranking[0]["model"]])
described = [
    f"{NAMES[r['model']]} ({r['setting'] + ', ' if r['setting'] else ''}{num(r['mean'])})"
    for r in ranking
]
summary = f"Ranked by their best mean SE MMD² at n = {n_max}: {listing(described)}. "
# How clearly does MMD² separate the single Gaussian from the flexible models?
sg_row = next(r for r in ranking if r["model"] == "SingleGaussian")
gaps = [
    (sg_row["mean"] - r["mean"]) / math.hypot(sg_row["se"], r["se"])
    for r in ranking
    if r["model"] != "SingleGaussian"
]
if all(math.isfinite(g) for g in gaps):
    summary += (
        f"The single Gaussian is {'worse than' if min(gaps) > 2 else 'not clearly worse than'} "
        f"every flexible model at its best (by at least {num(min(gaps))} standard errors). "
    )
top = ranking[0]
tied = [
    r
    for r in ranking[1:]
    if r["mean"] - top["mean"] <= 2 * math.hypot(r["se"], top["se"])  # NaN: never tied
]
if tied:
    summary += (
        f"The {NAMES[top['model']]} and the {listing(NAMES[r['model']] for r in tied)} are "
        "within two standard errors of each other: these repeats do not rank them. "
    )
gap_to_floor = (top["mean"] - se_floor["mean"]) / math.hypot(top["se"], floor_se)
if math.isfinite(gap_to_floor):
    summary += (
        f"Even the best model stays {num(gap_to_floor)} standard errors above the perfect "
        f"generator ({num(se_floor['mean'])}): its samples are still told apart from real "
        "data. "
        if gap_to_floor > 2
        else f"The best model is within two standard errors of the perfect generator "
        f"({num(se_floor['mean'])}): MMD² cannot tell its samples from real data. "
    )
ties = sum(len(best_setting(df, n_max)[1]) > 1 for df in (hist, gmm, kde, forest))
summary += (
    f"MMD² picks {SETTING['bins'](best_bins)}, {SETTING['n_components'](best_K)}, "
    f"{SETTING['bandwidth'](best_h)} and {SETTING['n_min'](best_n_min)}; in {ties} of these "
    "4 sweeps another setting lies within two standard errors of the best, so there the "
    f"{repeats} repeats do not single out one setting. "
)
summary += (
    f"The copy check adds what MMD² cannot see: at the preferred KDE bandwidth the share "
    f"of near-copies of training points is {copy_level} "
    f"({num(100 * at_best['copy_share_mean'])}%), and it reaches "
    f"{num(100 * worst['copy_share_mean'])}% at h = {h_small:g} with "
    f"{worst['n_train']:g} training points."
)
glue_text("moons_summary", summary)

out = Path(output_dir)
out.mkdir(parents=True, exist_ok=True)
results.to_csv(out / "moons_2d.csv", index=False)
glue("moons_n_rows", len(results), display=False)
print(f"{len(results)} rows written to moons_2d.csv; best: {NAMES[ranking[0]['model']]}")
