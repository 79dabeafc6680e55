"""Paper 26 (CS231n): claims on the quick preset, hand-written backward = tape, SVM pair,
vectorised kNN = loops, spiral and digits data, determinism, and the sklearn import audit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from sutskever30.data.digits import load_digits_split
from sutskever30.data.spiral import make_spiral
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import check_pair, rel_error
from sutskever30.papers import p26_cs231n as p26

SRC = Path(__file__).resolve().parents[2] / "src" / "sutskever30"


def random_params(rng: np.random.Generator, D: int = 2, H: int = 16, K: int = 3) -> dict:
    return {
        "W": rng.standard_normal((H, D)),
        "b": rng.standard_normal(H),
        "W2": rng.standard_normal((K, H)) / np.sqrt(H),
        "b2": rng.standard_normal(K),
    }


# --------------------------------------------------------------------------------------
# claims on the quick preset
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=[0, 1], ids=lambda s: f"seed{s}")
def quick(request):
    return execute(26, "quick", seed=request.param)


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 8
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick_result):
    r = quick_result
    n = p26.Config.quick().two_layer_iters
    assert len(r.histories["two_layer_loss"]) == n == len(r.histories["identity_loss"])
    assert len(r.histories["two_layer_val_acc"]) == len(r.arrays["eval_iters"])
    assert r.arrays["zz_two_layer"].shape == r.arrays["grid_xx"].shape
    assert r.arrays["knn_cv_acc"].shape == (5, 4)
    # the training loss went down and the fresh-spiral accuracy follows the training accuracy
    assert r.histories["two_layer_loss"][-1] < 0.5 * r.histories["two_layer_loss"][0]
    assert r.metrics["two_layer_val_acc"] > 0.9
    figs = p26.figures(r)
    assert set(figs) >= {"decision_boundaries", "loss_two_layer", "accuracy", "knn_cv"}


# --------------------------------------------------------------------------------------
# gradients: hand-composed pairs == tape == central differences
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "identity"])
def test_hand_backward_equals_tape(activation):
    rng = np.random.default_rng(7)
    X, y = make_spiral(20, 3, rng=rng)
    params = random_params(rng, H=32)
    hand = p26.two_layer_net_loss(params, X, y, reg=1e-3, activation=activation)
    loss_tape, grads_tape = p26.two_layer_net_loss_tape(params, X, y, 1e-3, activation)
    assert abs(hand.loss - loss_tape) < 1e-10
    for name in params:
        assert grads_tape[name].dtype == np.float64
        np.testing.assert_allclose(hand.grads[name], grads_tape[name], rtol=0, atol=1e-10)
        assert rel_error(hand.grads[name], grads_tape[name]) < 1e-10


@pytest.mark.parametrize("loss", ["softmax", "svm"])
def test_linear_classifier_gradients(loss):
    rng = np.random.default_rng(3)
    X, y = make_spiral(10, 3, rng=rng)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(3)}
    gc = p26.gradient_check(lambda p: p26.linear_classifier_loss(p, X, y, 0.1, loss), params)
    assert max(v["array"] for v in gc.values()) < 1e-7


def test_two_layer_gradient_check_passes_and_catches_a_bug():
    rng = np.random.default_rng(11)
    X, y = make_spiral(10, 3, rng=rng)
    params = random_params(rng)

    def buggy(p):  # a classic mistake: ReLU forward, identity backward (mask forgotten)
        good = p26.two_layer_net_loss(p, X, y, 1e-3, "relu")
        wrong = p26.two_layer_net_loss(p, X, y, 1e-3, "identity").grads
        return p26.LossOut(good.loss, good.data_loss, wrong, good.scores)

    kinks = p26.relu_pattern(X)
    ok = p26.gradient_check(lambda p: p26.two_layer_net_loss(p, X, y, 1e-3), params, kink_pattern=kinks)
    bad = p26.gradient_check(buggy, params, kink_pattern=kinks)
    assert max(v["array"] for v in ok.values()) < 1e-7
    assert max(v["array"] for v in bad.values()) > 1e-2


def test_kink_straddling_entries_are_found_and_left_out():
    rng = np.random.default_rng(12)
    X, y = make_spiral(5, 3, rng=rng)
    params = random_params(rng, H=4)
    h = 1e-5
    # put unit 0's pre-activation on point 0 at +h/2: nudging b[0] by −h switches it off
    z = X[0] @ params["W"][0]
    params["b"][0] = -z + h / 2
    pattern = p26.relu_pattern(X)
    crossed = p26.crossed_kinks(pattern, params, "b", h)
    assert crossed[0] and crossed.sum() == 1
    assert not p26.crossed_kinks(pattern, params, "b2", h).any()  # b2 cannot move a ReLU
    loss = lambda p: p26.two_layer_net_loss(p, X, y, 1e-3)  # noqa: E731
    raw = p26.gradient_check(loss, params, h=h)
    checked = p26.gradient_check(loss, params, h=h, kink_pattern=pattern)
    assert raw["b"]["kinks"] == 0 and checked["b"]["kinks"] == 1
    assert raw["b"]["elementwise"] > 1e-3  # the straddled entry is garbage ...
    assert checked["b"]["array"] < 1e-7  # ... and the rest agrees


def test_gradient_check_refuses_float32():
    params = {"W": np.ones((2, 2), np.float32)}
    with pytest.raises(TypeError, match="float64"):
        p26.gradient_check(lambda p: None, params)


# --------------------------------------------------------------------------------------
# the SVM pair
# --------------------------------------------------------------------------------------


def svm_loss_naive(scores, y, delta=1.0):
    """The course's two-loop version (linear-classify notes, L_i_vectorized's ancestor)."""
    N, K = scores.shape
    loss, dscores = 0.0, np.zeros_like(scores)
    for i in range(N):
        for j in range(K):
            if j == y[i]:
                continue
            margin = scores[i, j] - scores[i, y[i]] + delta
            if margin > 0:
                loss += margin
                dscores[i, j] += 1
                dscores[i, y[i]] -= 1
    return loss / N, dscores / N


def test_svm_pair_matches_naive_loops_and_gradcheck():
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((12, 5))
    y = rng.integers(0, 5, 12)
    loss, cache = p26.svm_loss_forward(scores, y)
    dscores, dy = p26.svm_loss_backward(1.0, cache)
    ref_loss, ref_d = svm_loss_naive(scores, y)
    assert dy is None
    assert abs(float(loss) - ref_loss) < 1e-12
    np.testing.assert_allclose(dscores, ref_d, atol=1e-12)
    err = check_pair(p26.svm_loss_forward, p26.svm_loss_backward, [scores, y], rng=np.random.default_rng(1))
    assert err < 1e-7


def test_svm_pair_bad_input():
    with pytest.raises(ValueError, match="scores"):
        p26.svm_loss_forward(np.zeros(3), np.zeros(3, np.int64))
    with pytest.raises(ValueError, match="y"):
        p26.svm_loss_forward(np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="activation"):
        p26.two_layer_net_loss(
            random_params(np.random.default_rng(0)), np.zeros((2, 2)), np.zeros(2, np.int64), 0.0, activation="tanh"
        )


def test_initial_loss_is_ln_K_for_small_init():
    rng = np.random.default_rng(5)
    X, y = make_spiral(100, 4, rng=rng)
    params = p26.init_two_layer(2, 100, 4, rng, scale=0.01)
    assert abs(p26.two_layer_net_loss(params, X, y, 0.0).data_loss - np.log(4)) < 0.01
    big = p26.init_two_layer(2, 100, 4, rng, scale=3.0)  # a big init is far from ln K
    assert abs(p26.two_layer_net_loss(big, X, y, 0.0).data_loss - np.log(4)) > 0.1


# --------------------------------------------------------------------------------------
# kNN
# --------------------------------------------------------------------------------------


def test_vectorised_distances_equal_loops():
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((6, 64)), rng.standard_normal((9, 64))
    loops = np.array([[np.sqrt(np.sum((a - b) ** 2)) for b in B] for a in A])
    np.testing.assert_allclose(p26.l2_distances(A, B), loops, rtol=1e-10, atol=1e-10)
    assert np.all(np.diag(p26.l2_distances(A, A)) < 1e-6)  # clamped, never NaN


def test_knn_predict_equals_loop_vote():
    rng = np.random.default_rng(4)
    X_tr, y_tr = rng.standard_normal((40, 5)), rng.integers(0, 4, 40)
    X_te = rng.standard_normal((15, 5))
    dists = p26.l2_distances(X_te, X_tr)
    preds = p26.knn_predict(dists, y_tr, (1, 3, 7), 4)
    for k in (1, 3, 7):
        for i in range(len(X_te)):
            nearest = y_tr[np.argsort(dists[i], kind="stable")[:k]]
            assert preds[k][i] == np.argmax(np.bincount(nearest, minlength=4))


def test_cross_validation_equals_loop():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((23, 3)), rng.integers(0, 3, 23)
    acc = p26.cross_validate_knn(X, y, (1, 5), 4, 3)
    folds = np.array_split(np.arange(23), 4)
    for f, val in enumerate(folds):
        train = np.setdiff1d(np.arange(23), val)
        for j, k in enumerate((1, 5)):
            correct = 0
            for i in val:
                d = np.sqrt(((X[train] - X[i]) ** 2).sum(axis=1))
                votes = np.bincount(y[train][np.argsort(d, kind="stable")[:k]], minlength=3)
                correct += np.argmax(votes) == y[i]
            assert acc[f, j] == pytest.approx(correct / len(val))


# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------


def test_spiral_is_the_course_construction():
    X, y = make_spiral(100, 3, rng=np.random.default_rng(0))
    assert X.shape == (300, 2) and X.dtype == np.float64
    assert y.shape == (300,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [100, 100, 100])
    np.testing.assert_array_equal(y[:100], 0)
    # the radius of class j's points runs linspace(0, 1); the noise only moves the angle
    for j in range(3):
        np.testing.assert_allclose(np.hypot(*X[y == j].T), np.linspace(0, 1, 100), atol=1e-12)
    # angles without noise would be linspace(4j, 4j + 4); the noise has std ≈ 0.2
    t = np.arctan2(X[:, 0], X[:, 1])[1:100]  # class 0, skipping r = 0
    dt = np.angle(np.exp(1j * (t - np.linspace(0, 4, 100)[1:])))
    assert 0.1 < dt.std() < 0.3
    X2, y2 = make_spiral(100, 3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(X, X2)
    X3, _ = make_spiral(100, 3, rng=np.random.default_rng(1))
    assert not np.array_equal(X, X3)
    with pytest.raises(TypeError, match="Generator"):
        make_spiral(100, 3, rng=0)


def test_digits_split():
    X_tr, y_tr, X_te, y_te = load_digits_split(0)
    assert X_tr.shape == (1400, 64) and X_te.shape == (397, 64)
    assert y_tr.shape == (1400,) and y_te.shape == (397,)
    assert 0.0 <= X_tr.min() and X_tr.max() <= 1.0
    again = load_digits_split(np.random.default_rng(0))
    np.testing.assert_array_equal(again[0], X_tr)
    other = load_digits_split(1)
    assert not np.array_equal(other[1], y_tr)
    # train and test are disjoint (the 1797 images are pairwise distinct)
    rows = {r.tobytes() for r in X_tr}
    assert not any(r.tobytes() in rows for r in X_te)


# --------------------------------------------------------------------------------------
# determinism and audit
# --------------------------------------------------------------------------------------


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(26, "smoke", seed=3), execute(26, "smoke", seed=3)
    assert a.metrics == b.metrics
    assert a.histories == b.histories
    for name in a.arrays:
        np.testing.assert_array_equal(a.arrays[name], b.arrays[name])
    c, _ = execute(26, "smoke", seed=4)
    assert c.histories["two_layer_loss"] != a.histories["two_layer_loss"]


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_import_audit_no_sklearn_models_no_torch():
    files = sorted(SRC.rglob("*.py"))
    assert files
    offenders = []
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "sklearn" and name != "sklearn.datasets":
                offenders.append((str(path), name))
            if top == "torch":
                offenders.append((str(path), name))
    assert not offenders, offenders
    # dynamic imports too: any "sklearn.<name>" spelled in the source must be sklearn.datasets
    spelled = {(str(p), m) for p in files for m in re.findall(r"sklearn\.(\w+)", p.read_text(encoding="utf-8"))}
    assert all(m == "datasets" for _, m in spelled), spelled
