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
# # Handwritten digits in 64 dimensions
#
# In two dimensions a density estimate can be drawn and its samples checked by eye.
# Scikit-learn's handwritten digits, 8×8 grey images with pixel values from 0 to 16, live
# in 64 dimensions, where a model must be judged by its samples. This chapter fits a
# Gaussian mixture (GMM), a kernel density estimate (KDE) and a density forest to part of
# the digits, draws new digits from each, and asks:
#
# 1. **Against which digits should generated digits be compared?** The original study
#    compared them with the very digits the models were fitted on. We compare them with
#    held-out digits too, and show how the verdicts differ.
# 2. **At which kernel bandwidth?** The original used $\sigma = 1$. We show why, in 64
#    dimensions, the squared-exponential kernel with $\sigma = 1$ sees almost nothing.
# 3. **What does MMD² not see?** Copies of training digits, samples that spread beyond
#    the digits, and digit classes generated in the wrong proportions.
#
# Each setting is fitted on several stratified splits of the digits, so that every
# comparison comes with its noise. The first code cell holds every parameter
# ({doc}`../book/reproduce`).

# %% tags=["parameters"]
seed = 0
test_fraction = 0.25
repeats = 3
n_generated = 2000
gmm_components = [1, 2, 3, 5, 10, 20, 50, 70, 100]
kde_bandwidths = [0.01, 0.1, 0.5, 1, 1.5, 1.75, 2, 2.1, 2.2, 2.5, 3, 4]
forest_n_min = [5, 10, 12, 15, 20, 50, 100, 200]
forest_trees = 10
n_jobs = 2
scheduler = None
output_dir = "results"

# %% [markdown]
# The schema of the study (`densitylab.studies.digits.PARAMETERS`) checks every value before
# anything is computed; an unknown name or a value out of range stops the run here.

# %%
from densitylab.studies import digits

params = digits.PARAMETERS.validate(globals())

# %% [markdown]
# This chapter's numbers and sentences are computed, and tested, in
# `densitylab.studies.digits_claims` (`claims` below; `claims.selected` picks rows of a
# table); a session keeps the parameter table and the clock, and writes the results files.

# %%
from densitylab.studies import digits_claims as claims
from densitylab.studies.session import StudySession

session = StudySession(digits.PARAMETERS)

# %% tags=["remove-cell"]
# Glue: how the computed numbers, tables and figures reach the text.
from densitylab.report.glue import glue_all, glue_figure, glue_table
from densitylab.studies import intro, original
from densitylab.studies.picks import picks_table_view

# %% [markdown]
# ## The data and the splits
#
# The 1797 digits are split {glue:md}`digits_data_repeats:myst` times, each time stratified
# by class, into a training part that every model is fitted on and a held-out part that no
# model sees. Every family is fitted on every split, so differences between models are
# never differences between data, and the spread over splits measures the noise.

# %%
splits = digits.splits(params)
sigmas = digits.mmd_bandwidths(splits, params)

# %% tags=["remove-cell"]
glue_all("digits_data", claims.data_facts(splits, params))

# %% [markdown]
# With a held-out share of {glue:md}`digits_data_test_fraction:myst`, the models are fitted
# on $n$ = {glue:md}`digits_data_n_train:myst` digits and judged against
# {glue:md}`digits_data_n_heldout:myst` held-out digits
# ({glue:md}`digits_data_per_class:myst` per class). {glue:md}`digits_data_constant:myst`
#
# ## Three families and their grids
#
# - **Gaussian mixture** (EM, full covariances), $K$ = {glue:md}`digits_data_gmm_grid:myst`
#   components. Its covariances get $\lambda$ = {glue:md}`digits_data_reg_covar:myst` grey
#   levels² added to their diagonal: the pixels are integers, and a variance well below
#   that of rounding to integers (1/12) describes the rounding, not the handwriting.
#   {glue:md}`digits_data_reg_claim:myst`
# - **Kernel density estimate** (isotropic Gaussian kernel), bandwidths
#   $h$ = {glue:md}`digits_data_kde_grid:myst` grey levels.
# - **Density forest** of {glue:md}`digits_data_trees:myst` trees, least points per leaf
#   $n_\min$ = {glue:md}`digits_data_forest_grid:myst`, with the same $\lambda$ in its
#   leaves.
#
# Each fitted model generates $m$ = {glue:md}`digits_data_n_generated:myst` digits.
#
# ## Why the SE kernel with $\sigma = 1$ sees almost nothing here
#
# MMD² compares two samples through a kernel of their distance $d$: the SE kernel
# $e^{-d^2/\sigma^2}$ and the IMQ kernel $(1 + d^2/\sigma^2)^{-1/2}$. What matters is $d$
# relative to $\sigma$, and in 64 dimensions digits are far apart.

# %%
import numpy as np

from densitylab import plotting
from densitylab.report.figures import new_figure

distances = claims.distance_facts(splits[0], sigmas)
fig, axes = new_figure(2, 1, aspect=0.45, sharex=True)
plotting.plot_kernels(
    sigmas["median"],
    other={"original study": sigmas["original"]},
    d_max=distances["d_max"],
    ax=axes[0, 0],
)
pairs = claims.pair_distances(splits[0])  # every pair of training digits
ax = axes[1, 0]
ax.hist(pairs[pairs <= distances["d_max"]], bins=60, color="0.6")
ax.axvline(np.median(pairs), color="black", linestyle="--", label="median")
ax.axvline(pairs.min(), color="black", linestyle=":", label="closest pair")
ax.set(xlabel="distance between two digits [grey levels]", ylabel="pairs of digits")
ax.legend(loc="upper left", frameon=False)
fig.align_ylabels()

# %% tags=["remove-cell"]
glue_all("digits_distance", distances)
glue_figure("digits_fig_kernels", fig)

# %% [markdown]
# ```{glue:figure} digits_fig_kernels
# :name: fig-digits-kernels
# :alt: The SE and IMQ kernels against the distance between digits, with the median-heuristic bandwidth and the original bandwidth of 1 marked
#
# Top: the two kernels against the distance between two digits, at the median-heuristic
# $\sigma$ of the training digits (solid) and at the original $\sigma = 1$ (dotted); thin
# grey vertical lines mark $d = \sigma$ in the same styles. Bottom: the
# distances between the first split's training digits (dashed: their median,
# {glue:md}`digits_distance_median_distance:myst`; dotted: the closest pair,
# {glue:md}`digits_distance_min_distance:myst`). Every distance lies far to the right of
# $\sigma = 1$.
# ```
#
# {glue:md}`digits_distance_claim:myst`
#
# ## The sweeps
#
# As in {doc}`moons_2d`, every family is fitted at every value of its grid on every
# split; each fit draws $m$ = {glue:md}`digits_data_n_generated:myst` digits, scored by
# MMD² against its split's training and held-out digits, by the held-out
# log-likelihood and by the two copy checks.

# %%
from densitylab.studies.sweeping import sweep_families

families = digits.families(params)
sweeps = sweep_families(families, splits, params, bandwidths={"train": sigmas, "heldout": sigmas})
fits, mmd = sweeps.fits, sweeps.mmd

# %% [markdown]
# ## The verdict depends on the reference set
#
# {numref}`fig-digits-mmd` shows the MMD² of every model's generated digits with the
# median-heuristic $\sigma$, against the training digits (the original protocol) and
# against the held-out digits. Lines are means over the splits, bands ±1 standard error.

# %%
fig, axes = new_figure(3, 1, aspect=0.3)
for ax, name in zip(axes[:, 0], families, strict=True):
    rows = claims.selected(mmd, model=name, kernel="se", bandwidth_name="median")
    legend = "figure" if name == "DensityForest" else False  # one legend for the panels
    plotting.plot_sweep(
        rows, line="reference", ax=ax, title=claims.family(name), legend=legend, categorical=True
    )

# %% [markdown]
# A perfect generator would draw new real digits. The training digits themselves, real
# digits the held-out ones were split from, give the floor for the held-out MMD² (the same
# $\sigma$, on every split). As the splits are stratified, the two parts have exactly the
# same class proportions and are more alike than two independent samples, so this floor
# can lie below 0: a held-out value below 0 is read against it, not against 0.

# %%
floor = claims.real_floor(splits, sigmas)

# %% tags=["remove-cell"]
glue_all("digits_reference", claims.reference_claims(mmd, fits, params, floor))
glue_figure("digits_fig_mmd", fig)

# %% [markdown]
# ```{glue:figure} digits_fig_mmd
# :name: fig-digits-mmd
# :alt: MMD² of generated digits against training and held-out digits for the GMM, the KDE and the density forest, at the median-heuristic bandwidth
#
# SE MMD² of {glue:md}`digits_data_n_generated:myst` generated digits against the training
# digits and against the held-out digits, median-heuristic $\sigma$ =
# {glue:md}`digits_distance_sigma:myst`, for the GMM, the KDE and the density forest
# (mean ± 1 standard error over the splits).
# ```
#
# {glue:md}`digits_reference_claim:myst`
#
# ## What the original $\sigma = 1$ reports

# %%
fig, axes = new_figure(3, 1, aspect=0.3)
for ax, name in zip(axes[:, 0], families, strict=True):
    rows = claims.selected(mmd, model=name, kernel="imq", bandwidth_name="original")
    legend = "figure" if name == "DensityForest" else False
    plotting.plot_sweep(
        rows, line="reference", ax=ax, title=claims.family(name), legend=legend, categorical=True
    )

# %% tags=["remove-cell"]
glue_all("digits_original", claims.original_claims(mmd, fits, params))
glue_figure("digits_fig_original", fig)

# %% [markdown]
# ```{glue:figure} digits_fig_original
# :name: fig-digits-original
# :alt: IMQ MMD² with the original bandwidth of 1 against training and held-out digits for the three families
#
# As {numref}`fig-digits-mmd`, with the IMQ kernel at the original $\sigma = 1$ (the SE
# kernel at $\sigma = 1$ is ≈ 0 for every model that does not copy).
# ```
#
# {glue:md}`digits_original_claim:myst`
#
# ## Held-out log-likelihood
#
# The models are density estimators, so the most direct held-out test is the mean log
# density they give to digits they did not see ({numref}`fig-digits-loglik`; higher is
# better). It penalises both ways of failing: a blurred model spreads its mass too thinly,
# and a copying model packs it into small spheres around the training digits, leaving
# almost nothing for new ones.

# %%
fig, axes = new_figure(4, 1, aspect=0.3)
fig.supylabel("mean held-out log-likelihood [nats per digit]")  # one label for the panels
kde_fits = claims.selected(fits, model="GaussianKDE")
kde_means = kde_fits.groupby("value")["heldout_loglik"].mean()
near_peak = kde_means.index[kde_means >= kde_means.max() - 50]  # within 50 nats of the peak
panels = [(claims.selected(fits, model=name), claims.family(name)) for name in families]
panels.append((kde_fits[kde_fits["value"].isin(near_peak)], "KDE, near its peak"))
for ax, (rows, title) in zip(axes[:, 0], panels, strict=True):
    plotting.plot_fit_criterion(
        rows,
        "heldout_loglik",
        ax=ax,
        line=None,
        title=title,
        ylabel="",
        legend="figure",  # one legend under the panels, each note listed once
        categorical=True,
    )

# %% tags=["remove-cell"]
glue_all("digits_loglik", claims.loglik_claims(fits, params))
glue_figure("digits_fig_loglik", fig)

# %% [markdown]
# ```{glue:figure} digits_fig_loglik
# :name: fig-digits-loglik
# :alt: Held-out log-likelihood of the GMM, the KDE and the density forest against their hyper-parameters
#
# Mean log density of the held-out digits under each model, from top to bottom the GMM,
# the KDE, the density forest, and the KDE again for the bandwidths within 50 nats of its
# peak (mean ± 1 standard error over the splits; higher is better; linear y-axes). Where
# settings lie far below the rest, a ▼ at the panel's lower edge marks each of them, and
# the legend says how many there are and how far down they go.
# ```
#
# {glue:md}`digits_loglik_claim:myst`
#
# ## Copying: two checks
#
# The two copy checks of {doc}`moons_2d` apply unchanged: the share of generated digits
# closer to a training digit than the 5 % quantile of held-out digits are, and the
# data-copying statistic $C_T$ ({numref}`fig-digits-copy`).

# %%
from densitylab.studies.claims import COPY_QUANTILE

fig, axes = new_figure(3, 2, aspect=0.6)
for row, name in zip(axes, families, strict=True):
    rows = claims.selected(fits, model=name)
    plotting.plot_fit_criterion(
        rows,
        "copy_share",
        ax=row[0],
        line=None,
        reference=COPY_QUANTILE,
        limit=2 * COPY_QUANTILE,
        ylabel="",
        title=f"{claims.family(name)}: copy share",
        legend="figure",
        categorical=True,
    )
    plotting.plot_fit_criterion(
        rows,
        "ct_statistic",
        ax=row[1],
        line=None,
        reference=0.0,
        band=(-3, 3),
        ylabel="",
        title=f"{claims.family(name)}: $C_T$",
        legend="figure",
        categorical=True,
    )

# %% tags=["remove-cell"]
glue_all("digits_copy", claims.copy_claims(fits, params, splits[0]))
glue_figure("digits_fig_copy", fig)

# %% [markdown]
# ```{glue:figure} digits_fig_copy
# :name: fig-digits-copy
# :alt: Copy share and the data-copying statistic of the three families against their hyper-parameters
#
# Left: share of generated digits flagged as near-copies (grey dotted line: the 5 %
# expected of new digits; red dash-dotted line: the 10 % limit above which a setting
# copies). Right: $C_T$ (grey dashed line: $C_T = 0$, as close as new data; green band:
# neither copying nor over-dispersed). One row per family; means ± 1 standard error over
# the splits.
# ```
#
# {glue:md}`digits_copy_claim:myst`
#
# ## The picks
#
# The four rules of Methods ({ref}`the-picks`), applied to each family: the original
# protocol (the lowest IMQ MMD² with $\sigma = 1$ against the training digits), the best
# held-out log-likelihood, the good setting and the bad one.

# %%
picks = claims.picks(fits, mmd, params)

# %% tags=["remove-cell"]
glue_table("digits_picks_table", picks_table_view(picks))

# %% [markdown]
# ````{table} The picks of each family: mean held-out MMD² (SE kernel, median-heuristic $\sigma$, ± standard error over the splits), mean held-out log-likelihood, copy share and $C_T$; "ties with" lists the other settings the pick's own criterion cannot separate from it (—: none).
# :name: tab-digits-picks
#
# ```{glue:md} digits_picks_table
# :format: myst
# ```
# ````
#
# Is one model closer to the held-out digits than another? With only a few splits, the
# *relative MMD test* of {cite:t}`bounliphone2016test` answers this on each split from the
# two samples' joint noise (Methods); the z-scores of the splits are combined
# ({numref}`tab-digits-relative`).

# %%
contrasts = claims.relative_contrasts(picks, families, splits, sigmas, params)
relative_table = claims.contrasts_table(contrasts)

# %% tags=["remove-cell"]
glue_table("digits_relative_table", relative_table)
glue_all("digits_relative", claims.relative_claims(contrasts))
glue_all("digits_picks", claims.picks_summary(picks, params, contrasts))
glue_all("digits_conflict", claims.likelihood_conflict(picks, splits[0], params))

# %% [markdown]
# ````{table} Relative MMD tests of the picks on the held-out digits (SE kernel, median-heuristic $\sigma$), combined over the splits by Stouffer's method: model A is the one the combined $z$ puts closer; p is the one-sided p-value that A is closer (a p below $10^{-6}$ is not read further, as the splits share digits).
# :name: tab-digits-relative
#
# ```{glue:md} digits_relative_table
# :format: myst
# ```
# ````
#
# {glue:md}`digits_relative_claim:myst`
#
# {glue:md}`digits_picks_claim:myst`
#
# {glue:md}`digits_picks_spread:myst`
#
# (digits-likelihood-conflict)=
# ### Why the likelihood prefers other settings
#
# {glue:md}`digits_conflict_claim:myst`
#
# ## What the samples look like

# %%
real = {"real held-out digits": splits[0].heldout}
samples = real | claims.pick_samples(picks, families, splits[0], params)
fig, axes = new_figure(len(samples), 1, aspect=0.22)
for ax, (title, X) in zip(axes[:, 0], samples.items(), strict=True):
    plotting.plot_digit_grid(X, ax=ax, n_rows=2, n_cols=12, title=title)

# %% tags=["remove-cell"]
glue_figure("digits_fig_samples", fig)
glue_all("digits_samples", claims.samples_claims(samples, splits[0], params))

# %% [markdown]
# ```{glue:figure} digits_fig_samples
# :name: fig-digits-samples
# :alt: Grids of generated digits from the good and the bad setting of each family
#
# Top: real held-out digits of the first split, for comparison. Below: generated digits
# of each family's picks named in the panel titles, fitted to the first split.
# ```
#
# {glue:md}`digits_samples_claim:myst`
#
# ### Where do the samples differ? The witness function
#
# In 64 dimensions the witness function $f(t)$ (Methods) cannot be drawn over the space,
# but it can be read *at* digits: generated digits with the largest $f$ sit where the
# model puts too much mass, held-out digits with the most negative $f$ where it puts too
# little.

# %%
flagged = claims.witness_digits(picks, families, splits[0], sigmas, params)
fig, axes = new_figure(2, 1, aspect=0.15)
rows = (flagged.too_many, flagged.too_few)
for ax, images, title in zip(axes[:, 0], rows, flagged.titles, strict=True):
    plotting.plot_digit_grid(images, ax=ax, n_rows=1, n_cols=12, title=title)

# %% tags=["remove-cell"]
glue_figure("digits_fig_witness", fig)
glue_all("digits_witness", claims.witness_claims(flagged))

# %% [markdown]
# ```{glue:figure} digits_fig_witness
# :name: fig-digits-witness
# :alt: Generated digits where the witness function is largest, and held-out digits where it is most negative
#
# {glue:md}`digits_witness_caption:myst`
# ```
#
# {glue:md}`digits_witness_claim:myst`
#
# ## Are the classes generated in the right proportions?
#
# A model can draw convincing images of some digits and too few of others; MMD² folds such
# an imbalance into one number with everything else. A random forest trained on the
# training digits labels the generated digits of each good model. The *control* is the
# held-out digits, labelled by the same classifier, so the classifier's own errors affect
# both alike; the χ² test of homogeneity accounts for the two sample sizes, and Cramér's V
# (bias-corrected, Methods) with its interval measures the size of the difference. Generated
# digits the classifier is unsure of (highest class probability below one half) are counted
# apart.

# %%
labels = claims.label_check(picks, families, splits[0], params)
fig, axes = new_figure(len(labels.counts), 1, aspect=0.3, sharey=True)
for ax, (title, counts) in zip(axes[:, 0], labels.counts.items(), strict=True):
    plotting.plot_label_shares(counts, control=labels.control, ax=ax, title=title, legend="figure")

# %% tags=["remove-cell"]
glue_figure("digits_fig_labels", fig)
glue_table("digits_labels_table", labels.table)
glue_all("digits_labels", labels.claims)

# %% [markdown]
# ```{glue:figure} digits_fig_labels
# :name: fig-digits-labels
# :alt: Shares of predicted classes among the confidently labelled generated digits of each good model, beside the shares among held-out digits
#
# Share of each predicted class among the confidently labelled generated digits (bars)
# and among the held-out digits (markers).
# ```
#
# ````{table} The label check on the first split: share of confidently labelled digits, χ² test of homogeneity against the held-out digits, the bias-corrected Cramér's V with its 95 % interval (from the noncentral χ² law), and the total variation distance (TVD) as a description.
# :name: tab-digits-labels
#
# ```{glue:md} digits_labels_table
# :format: myst
# ```
# ````
#
# {glue:md}`digits_labels_claim:myst`
#
# The full results: {download}`digits_64d.csv <results/digits_64d.csv>` and
# {download}`digits_64d_picks.csv <results/digits_64d_picks.csv>`.

# %%
session.write(sweeps, picks, params.output_dir)

# %% tags=["remove-cell"]
verdicts = original.digits_verdicts(mmd, fits, labels.rows)
glue_table("digits_original_verdicts", original.claims_table(verdicts))
session.finish()
glue_all("digits_summary", claims.takeaways(picks, fits, mmd, labels, params))
glue_all("digits_headline", intro.digits_headlines(picks, fits, distances, labels))

# %% [markdown]
# ## Take-aways
#
# ````{admonition} Take-aways
# :class: takeaways
#
# ```{glue:md} digits_summary_takeaways
# :format: myst
# ```
# ````
#
# ## Exercises
#
# ```{exercise} The training-set protocol
# :label: digits-ex-protocol
#
# Take the KDE with the smallest bandwidth of the grid. Using `mmd`, compare its SE MMD²
# (median $\sigma$) against the training digits with that of the perfect-copy limit: what
# does the unbiased estimator give for a generated sample that *equals* the reference
# sample? Explain why a near-copy scores below 0 against its own training set.
# ```
#
# ```{solution-start} digits-ex-protocol
# :class: dropdown
# ```
#
# If the generated sample equals the reference, each generated digit meets its own
# original in the cross term, with kernel value 1, while the within-sample terms exclude
# the diagonal. With $\bar k$ the mean kernel value between two distinct digits of the
# sample, the estimate is exactly $-\tfrac{2}{m}(1 - \bar k) < 0$, below the 0 that an
# independent perfect sample scores on average.
# Against held-out digits this bonus is gone. The code checks the formula on the first
# split's training digits:

# %%
import numpy as np
import pandas as pd

from densitylab.mmd import kernel_matrix, mmd2_unbiased
from densitylab.report.tables import Column, Table

X_train = splits[0].X
m = len(X_train)
K = kernel_matrix(X_train, bandwidth=sigmas["median"])
k_bar = (K.sum() - np.trace(K)) / (m * (m - 1))  # mean over distinct pairs
copy_score = pd.DataFrame(
    {
        "estimate": [mmd2_unbiased(X_train, X_train, bandwidth=sigmas["median"])],
        "formula": [-2 / m * (1 - k_bar)],
    }
)
Table(
    copy_score,
    {
        "estimate": Column("MMD² of the training digits against themselves", "number", digits=4),
        "formula": Column("−(2/m)(1 − k̄)", "number", digits=4),
    },
)

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise} Find the KDE's way out
# :label: digits-ex-kde
#
# The copy checks call every small bandwidth a copier and the large ones over-dispersed;
# the switch happens {glue:md}`digits_copy_switch:myst`. Rerun the study with a finer grid
# there (e.g. `kde_bandwidths = [2, 2.05, 2.1, 2.15, 2.2, 2.3, 2.4, 2.5]`) and read the
# copy share and $C_T$ of each: how wide is the window of bandwidths that neither copy nor
# spread?
# ```
#
# ```{solution} digits-ex-kde
# :class: dropdown
#
# Run the notebook with papermill and the new grid, then read `digits_64d.csv` (per split)
# or `digits_64d_picks.csv`. The copy share stays near 0 over this range: the noise, of
# length $\approx 8h$, already outgrows the copy threshold (see "Copying: two checks"),
# so $C_T$ decides alone. {glue:md}`digits_copy_window:myst` $C_T$ rises steeply with $h$
# and crosses 0 where $8h$ matches the typical distance of a new digit to its nearest
# training digit, so the window with $|C_T| \le 3$ is narrow and centred there: the good
# bandwidth of this chapter sits inside it, and a finer grid shows how far the window's
# edges move from split to split.
# ```
#
# ```{exercise} A relative test by hand
# :label: digits-ex-relative
#
# With `densitylab.mmd.relative_mmd_test(X_heldout, Y, Z)`, test whether the good GMM is
# closer to the held-out digits than the GMM with $K = 1$ on the first split. Then swap $Y$
# and $Z$: how do the statistic and the p-value change?
# ```
#
# ```{solution} digits-ex-relative
# :class: dropdown
#
# The statistic is $\mathrm{MMD}^2(X, Y) - \mathrm{MMD}^2(X, Z)$, so swapping $Y$ and $Z$
# flips its sign, while its estimated standard deviation $\hat\sigma_t$ is symmetric in
# $Y$ and $Z$ and does not change; so the one-sided p-value becomes exactly one minus the
# old one. A small p-value says $Y$ is closer.
# ```
