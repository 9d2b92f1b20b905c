"""SingleGaussian and GMM against numpy, scipy.stats and scikit-learn's GaussianMixture."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import linalg, stats
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from densitylab._random import as_generator
from densitylab.data import load_digits_split, sample_moons
from densitylab.models import GMM, SingleGaussian
from densitylab.models.gaussian import _m_step

FAR = np.array([[30.0, -40.0], [1e3, 1e3], [-7.0, 0.5]])


@pytest.fixture(scope="module")
def moons():
    return sample_moons(500, noise=0.1, random_state=10)


@pytest.fixture(scope="module")
def heldout():
    return sample_moons(2000, noise=0.1, random_state=11)


@pytest.fixture(scope="module")
def digits():
    return load_digits_split(0.25, random_state=0)


# --- SingleGaussian ---------------------------------------------------------------


def test_single_gaussian_is_the_numpy_mle_plus_reg_covar(moons):
    model = SingleGaussian(reg_covar=1e-3).fit(moons)
    np.testing.assert_allclose(model.mean_, moons.mean(axis=0), rtol=1e-14)
    expected = np.cov(moons.T, bias=True) + 1e-3 * np.eye(2)
    np.testing.assert_allclose(model.covariance_, expected, rtol=1e-12)


def test_single_gaussian_log_density_is_scipys(moons, heldout):
    model = SingleGaussian().fit(moons)
    queries = np.vstack([heldout, FAR])
    reference = stats.multivariate_normal(model.mean_, model.covariance_).logpdf(queries)
    np.testing.assert_allclose(model.score_samples(queries), reference, rtol=1e-10)


def test_single_gaussian_samples_whiten_to_standard_normal(digits):
    """In 64-D: L⁻¹(x − μ) of the samples must be iid N(0, 1).

    Two tests with false-failure rate 1e-4 each (fixed seed): Kolmogorov-Smirnov on
    all whitened coordinates, and n‖mean‖² ~ χ²₆₄ for the whitened sample mean.
    """
    model = SingleGaussian().fit(digits.X_train)
    n = 5000
    samples = model.sample(n, random_state=0)
    chol = linalg.cholesky(model.covariance_, lower=True)
    z = linalg.solve_triangular(chol, (samples - model.mean_).T, lower=True)
    assert stats.kstest(z.ravel(), "norm").pvalue > 1e-4
    assert stats.chi2.sf(n * np.sum(z.mean(axis=1) ** 2), df=64) > 1e-4


def test_single_gaussian_singular_data_needs_reg_covar():
    X = np.column_stack([np.linspace(0.0, 1.0, 20), np.full(20, 3.0)])  # constant column
    with pytest.raises(ValueError, match="reg_covar"):
        SingleGaussian(reg_covar=0.0).fit(X)
    log_p = SingleGaussian().fit(X).score_samples(X)
    assert np.all(np.isfinite(log_p))


# --- GMM: the density and the M-step ------------------------------------------------


def test_gmm_log_density_is_the_scipy_mixture(moons, heldout):
    model = GMM(n_components=5, random_state=0).fit(moons)
    assert model.weights_.sum() == pytest.approx(1.0, abs=1e-14)
    queries = np.vstack([heldout, FAR])
    per_component = [
        np.log(w) + stats.multivariate_normal(m, c).logpdf(queries)
        for w, m, c in zip(model.weights_, model.means_, model.covariances_, strict=True)
    ]
    reference = logsumexp(np.column_stack(per_component), axis=1)
    log_p = model.score_samples(queries)
    assert np.all(np.isfinite(log_p))  # far points: large negative, not -inf
    np.testing.assert_allclose(log_p, reference, rtol=1e-10)


def test_m_step_is_weighted_mle_plus_reg_covar(moons):
    resp = np.random.default_rng(0).dirichlet(np.ones(3), size=len(moons))
    params = _m_step(moons, resp, 1e-4)
    nk = resp.sum(axis=0)
    np.testing.assert_allclose(params["weights"], nk / len(moons), rtol=1e-12)
    for k in range(3):
        np.testing.assert_allclose(
            params["means"][k], np.average(moons, axis=0, weights=resp[:, k]), rtol=1e-12
        )
        expected = np.cov(moons.T, aweights=resp[:, k], bias=True) + 1e-4 * np.eye(2)
        np.testing.assert_allclose(params["covariances"][k], expected, rtol=1e-12)


def test_empty_component_stays_finite(moons):
    """A component no point belongs to keeps the 10·eps guard: finite, no warning."""
    X = moons + 50.0  # far from the origin, where the empty component's mean lands
    resp = np.zeros((len(X), 3))
    resp[:, 0] = X[:, 0] < 50.5
    resp[:, 1] = 1.0 - resp[:, 0]
    params = _m_step(X, resp, 1e-6)
    assert all(np.all(np.isfinite(v)) for v in params.values())
    model = GMM(n_components=3, max_iter=20)
    model._check_params(len(X))
    run = model._fit_once(X, resp)
    assert run["weights"][2] < 1e-15
    assert np.all(np.isfinite(run["means"])) and np.all(np.isfinite(run["covariances"]))
    assert np.all(np.diff(run["lower_bounds"]) >= -1e-12)


def test_one_component_per_point_is_fine(moons):
    model = GMM(n_components=10, random_state=0).fit(moons[:10])
    assert model.converged_
    np.testing.assert_allclose(model.weights_, 0.1, rtol=1e-9)
    assert np.all(np.isfinite(model.score_samples(moons)))


# --- GMM: EM ------------------------------------------------------------------------


@pytest.mark.parametrize("reg_covar", [0.0, 1e-6])
@pytest.mark.parametrize("n_components", [3, 8])
@pytest.mark.parametrize("seed", [0, 1])
def test_em_never_lowers_the_likelihood(moons, reg_covar, n_components, seed):
    # reg_covar=0 is exact EM, where monotonicity is a theorem; k-means++ would start
    # from one-point components (singular without reg_covar), so k-means starts it.
    model = GMM(n_components, reg_covar=reg_covar, tol=1e-6, init="kmeans", random_state=seed)
    model.fit(moons)
    trace = model.lower_bounds_
    assert len(trace) == model.n_iter_ + 1 > 5
    # 1e-12 nats: the rounding of a mean of 500 log densities is ~1e-15.
    assert np.all(np.diff(trace) >= -1e-12), np.diff(trace).min()
    assert trace[-1] == model.lower_bound_
    assert model.score(moons) == pytest.approx(model.lower_bound_, abs=1e-12)


def test_lower_bounds_trace_follows_the_fitted_em_path(moons):
    """Stopping EM after m iterations gives parameters whose likelihood is trace[m]."""
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        full = GMM(4, tol=0.0, max_iter=6, random_state=0).fit(moons)
    assert not full.converged_ and full.n_iter_ == 6
    for m in range(1, 6):
        with pytest.warns(ConvergenceWarning):
            short = GMM(4, tol=0.0, max_iter=m, random_state=0).fit(moons)
        assert short.n_iter_ == m
        assert short.score(moons) == pytest.approx(full.lower_bounds_[m], abs=1e-13)


@pytest.mark.parametrize("n_components", [3, 8])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gmm_reaches_sklearn_gaussian_mixture(moons, heldout, n_components, seed):
    """Same K, tol and k-means++ seeds: GaussianMixture's parameters and likelihoods.

    GMM draws the k-means++ seed as the first int32 of its generator; handing that
    seed to GaussianMixture gives both the same initial components.
    """
    ours = GMM(n_components, tol=1e-3, random_state=seed).fit(moons)
    sk_seed = int(as_generator(seed).integers(np.iinfo(np.int32).max))
    ref = GaussianMixture(
        n_components, tol=1e-3, reg_covar=1e-6, init_params="k-means++", random_state=sk_seed
    ).fit(moons)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.weights_, ref.weights_, rtol=1e-8)
    np.testing.assert_allclose(ours.means_, ref.means_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.covariances_, ref.covariances_, rtol=1e-8, atol=1e-10)
    assert ours.score(moons) >= ref.score(moons) - 1e-9
    assert ours.score(heldout) >= ref.score(heldout) - 1e-9


def test_kmeans_init_matches_sklearn_and_beats_one_gaussian(moons):
    ours = GMM(4, init="kmeans", random_state=3).fit(moons)
    sk_seed = int(as_generator(3).integers(np.iinfo(np.int32).max))
    ref = GaussianMixture(4, init_params="kmeans", random_state=sk_seed).fit(moons)
    np.testing.assert_allclose(ours.means_, ref.means_, rtol=1e-8, atol=1e-10)
    assert ours.converged_
    assert ours.lower_bound_ > SingleGaussian().fit(moons).score(moons) + 0.1


def test_random_init_runs_monotone_em(moons):
    # Uniform random responsibilities start every component near the data's one
    # Gaussian, a saddle EM leaves slowly; like scikit-learn's "random" it may stop
    # there on tol, so only the EM guarantees are asserted.
    model = GMM(4, init="random", random_state=0).fit(moons)
    assert model.converged_
    assert np.all(np.diff(model.lower_bounds_) >= -1e-12)
    assert np.all(np.isfinite(model.score_samples(moons)))


def test_n_init_keeps_the_best_restart(moons):
    single = GMM(3, random_state=4).fit(moons)  # its one start is the first of the five
    best = GMM(3, n_init=5, random_state=4).fit(moons)
    assert best.lower_bound_ >= single.lower_bound_
    assert best.score(moons) == pytest.approx(best.lower_bound_, abs=1e-12)


def test_different_seeds_give_different_fits(moons):
    a = GMM(8, random_state=0).fit(moons)
    b = GMM(8, random_state=1).fit(moons)
    assert not np.allclose(np.sort(a.means_, axis=0), np.sort(b.means_, axis=0))


def test_k1_is_the_single_gaussian(moons):
    gmm = GMM(n_components=1, random_state=0).fit(moons)
    single = SingleGaussian().fit(moons)
    assert gmm.weights_[0] == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(gmm.means_[0], single.mean_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(gmm.covariances_[0], single.covariance_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(gmm.score_samples(FAR), single.score_samples(FAR), rtol=1e-10)


def test_too_few_iterations_warn_like_sklearn(moons):
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        model = GMM(5, max_iter=2, random_state=0).fit(moons)
    assert not model.converged_


@pytest.mark.parametrize(
    ("dataset", "n_components", "reg_covar"),
    [("moons100", 12, 1e-6), ("moons1000", 12, 1e-6), ("digits", 15, 1e-6), ("digits", 100, 0.1)],
)
def test_default_max_iter_and_tol_suffice_for_the_studies(
    dataset, n_components, reg_covar, digits
):
    """The studies' largest mixtures converge under the defaults, without any warning."""
    X = {
        "moons100": lambda: sample_moons(100, random_state=5),
        "moons1000": lambda: sample_moons(1000, random_state=5),
        "digits": lambda: digits.X_train,
    }[dataset]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GMM(n_components, reg_covar=reg_covar, random_state=0).fit(X)
    assert model.converged_ and model.n_iter_ < model.max_iter
    assert np.all(np.isfinite(model.score_samples(X)))


# --- reg_covar = 0 ------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_reg_covar_zero_with_k_means_plus_plus_says_what_to_do(moons, seed):
    """Each k-means++ seed owns one point: a singular covariance whatever the data."""
    with pytest.raises(ValueError) as info:
        GMM(n_components=3, reg_covar=0.0, random_state=seed).fit(moons)
    message = str(info.value)
    for part in ("reg_covar=0", "init='k-means++'", "more distinct points than features"):
        assert part in message
    assert "1e-6" in message and "init='kmeans'" in message
    # ... and both remedies it names do work on these data.
    for remedy in ({"reg_covar": 1e-6}, {"reg_covar": 0.0, "init": "kmeans"}):
        model = GMM(n_components=3, random_state=seed, **remedy).fit(moons)
        assert model.converged_ and np.all(np.isfinite(model.score_samples(moons)))


def test_reg_covar_zero_with_too_small_clusters_says_what_to_do(moons):
    # 200 k-means clusters of 500 points: some hold two points or fewer in 2-D.
    with pytest.raises(ValueError, match="reg_covar=0 and init='kmeans'.*1e-6.*fewer"):
        GMM(n_components=200, reg_covar=0.0, init="kmeans", random_state=0).fit(moons)
