"""Paper 12 (MPNN): quick-preset claims on one seed; the edge-network message pair against
central differences; messages and the set2set softmax against brute-force loops; locality
(bit for bit) and relabelling invariance of an untrained model; the molecules' targets
against a breadth-first search; determinism."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import check_pair
from sutskever30.nn.pairs.message import edge_matvec, edge_matvec_backward, edge_matvec_forward
from sutskever30.papers import p12_mpnn as p12

PAPER = 12  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


def test_edge_matvec_gradcheck():
    rng = np.random.default_rng(0)
    err = check_pair(
        edge_matvec_forward, edge_matvec_backward, [rng.standard_normal((6, 3, 4)), rng.standard_normal((6, 4))]
    )
    assert err < 1e-6, err


def test_edge_matvec_bad_shapes():
    with pytest.raises(ValueError, match="edge_matvec"):
        edge_matvec_forward(np.zeros((5, 3, 4)), np.zeros((5, 3)))
    with pytest.raises(TypeError, match="edge_matvec"):
        edge_matvec(np.zeros((5, 3, 4)), nn.Tensor(np.zeros((5, 4))))


def _mols(k=6, seed=0):
    rng = np.random.default_rng(seed)
    return [p12.make_molecule(rng) for _ in range(k)]


def test_one_round_is_a_sum_of_edge_matrices_times_neighbour_states():
    model = p12.MPNN(np.random.default_rng(1), d=4, T=1).double()
    b = p12.collate(_mols(3), dtype=np.float64)
    h0 = model.embed(nn.Tensor(b["x"])).data
    A = model.edge_net(nn.Tensor(b["e"])).data.reshape(-1, 4, 4)
    m = np.zeros_like(h0)
    for k, (w, v) in enumerate(zip(b["src"], b["dst"])):
        m[v] += A[k] @ h0[w]  # m_v = Σ_w A(e_vw) h_w
    expected = model.gru(nn.Tensor(m), nn.Tensor(h0)).data
    ours = model.node_states(nn.Tensor(b["x"]), nn.Tensor(b["e"]), b["src"], b["dst"], 1).data
    np.testing.assert_allclose(ours, expected, atol=1e-12)


def test_segment_softmax_is_a_softmax_within_each_graph():
    gid = np.array([0, 0, 1, 1, 1, 2])
    s = np.random.default_rng(0).standard_normal(6)
    a = p12.segment_softmax(nn.Tensor(s), gid, 3).data
    for g in range(3):
        e = np.exp(s[gid == g])
        np.testing.assert_allclose(a[gid == g], e / e.sum(), atol=1e-12)


def test_locality_and_relabelling_on_an_untrained_model():
    model = p12.MPNN(np.random.default_rng(2), d=6, T=3)
    probe = p12.locality_probe(model, _mols(5, seed=3), np.random.default_rng(4))
    assert probe["moved_beyond_t_hops"] == 0 and probe["unmoved_within_t_hops"] == 0 and probe["states_checked"] > 0
    model = model.double()
    b = p12.collate(_mols(4, seed=5), dtype=np.float64)
    perm = np.random.default_rng(6).permutation(len(b["x"]))
    p, q = model(b).data, model(p12.relabel(b, perm)).data
    assert np.abs(p - q).max() <= 1e-12
    # a relabelling that ignores the edges is a different molecule: the check can fail
    wrong = dict(b, x=b["x"][perm])
    assert np.abs(model(wrong).data - p).max() > 1e-6


def test_targets_against_breadth_first_search():
    for mol in _mols(20, seed=7):
        n, E = mol["n"], mol["edges"]
        nbrs = [[] for _ in range(n)]
        for u, v in E:
            nbrs[u].append(v)
            nbrs[v].append(u)
        assert n - 1 + 1 <= len(E) <= n - 1 + 2  # a tree plus 1-2 ring closures

        def bfs(s, nbrs=nbrs):
            dist, todo = {s: 0}, deque([s])
            while todo:
                u = todo.popleft()
                for w in nbrs[u]:
                    if w not in dist:
                        dist[w] = dist[u] + 1
                        todo.append(w)
            return dist

        O = [v for v in range(n) if mol["types"][v] == p12.O_TYPE]
        t3 = np.mean([any(bfs(v).get(o, 99) <= 3 for o in O) for v in range(n)])
        assert mol["y"][2] == pytest.approx(t3)
        deg = [len(nbrs[v]) for v in range(n)]
        t1 = np.mean([p12.F_TYPE_DEGREE[mol["types"][v], min(deg[v], 4)] for v in range(n)])
        assert mol["y"][0] == pytest.approx(t1)
        # a bond is in a ring iff removing it keeps its ends connected
        ring = 0.0
        for k, (u, v) in enumerate(E):
            nbrs[u].remove(v)
            nbrs[v].remove(u)
            if v in bfs(u):
                ring += p12.G_BOND[mol["bonds"][k]]
            nbrs[u].append(v)
            nbrs[v].append(u)
        assert mol["y"][1] == pytest.approx(ring / n)


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(12, "smoke", seed=1), execute(12, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(12, "smoke", seed=2)
    assert c.histories["T3_loss"] != a.histories["T3_loss"]
