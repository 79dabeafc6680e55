"""Damaged checkpoints raise one ValueError naming the file; loads are all-or-nothing; a
writer killed mid-write leaves the last good checkpoint, and the next save cleans up."""

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn.checkpoint import load_checkpoint, save_checkpoint

ARRAYS = {"w": np.arange(2000, dtype=np.float32).reshape(40, 50), "b": np.ones(7)}


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "ckpt.npz"
    save_checkpoint(path, ARRAYS, {"step": 3})
    return path


def _damaged(good, tmp_path, data: bytes):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(data)
    with pytest.raises(ValueError, match=r"checkpoint .*bad\.npz") as info:
        load_checkpoint(bad)
    return str(info.value)


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.5, 0.8, 0.99])
def test_truncated_file(good, tmp_path, fraction):
    data = good.read_bytes()
    _damaged(good, tmp_path, data[: int(len(data) * fraction)])


def test_flipped_data_byte_fails_the_crc(good, tmp_path):
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("w.npy")
    data[info.header_offset + 30 + len("w.npy") + 200] ^= 0xFF  # inside w's array bytes
    assert "CRC" in _damaged(good, tmp_path, bytes(data))


def test_empty_file(good, tmp_path):
    assert "empty" in _damaged(good, tmp_path, b"")


def test_random_bytes(good, tmp_path):
    msg = _damaged(good, tmp_path, np.random.default_rng(0).bytes(5000))
    assert "not a valid .npz" in msg and "pickle" not in msg


def test_forged_huge_header_is_refused_before_allocating(tmp_path):
    """A header claiming 2^40 float64s (8 TiB) over 8 bytes of data: refused by comparing
    the header's size with the member's, not by trying the allocation."""
    bad = tmp_path / "bad.npz"
    header = {"descr": "<f8", "fortran_order": False, "shape": (2**40,)}
    with zipfile.ZipFile(bad, "w") as zf:
        with zf.open("w.npy", "w") as f:
            np.lib.format.write_array_header_1_0(f, header)
            f.write(np.zeros(1).tobytes())
    with pytest.raises(ValueError, match=r"bad\.npz.*'w\.npy'.*\(1099511627776,\).*holds 8 bytes"):
        load_checkpoint(bad)


def test_object_array_member_is_refused(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, w=np.array([{}, 1], dtype=object), __meta__=np.frombuffer(b"{}", np.uint8))
    with pytest.raises(ValueError, match=r"bad\.npz.*pickled"):
        load_checkpoint(bad)


def test_missing_meta_and_bad_meta(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, w=np.zeros(3))
    with pytest.raises(ValueError, match=r"bad\.npz is not a sutskever30 checkpoint"):
        load_checkpoint(bad)
    np.savez(bad, __meta__=np.frombuffer(b"{not json", np.uint8))
    with pytest.raises(ValueError, match=r"bad\.npz has damaged metadata"):
        load_checkpoint(bad)


def test_module_load_is_all_or_nothing():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(3, 4, rng=rng), nn.ReLU(), nn.Linear(4, 2, rng=rng))
    before = {k: v.copy() for k, v in model.state_dict().items()}
    state = {k: np.zeros_like(v) for k, v in before.items()}
    state["2.weight"] = np.zeros((3, 3))  # the last entry has the wrong shape
    with pytest.raises(ValueError, match=r"2\.weight has shape \(3, 3\); expected \(2, 4\)"):
        model.load_state_dict(state)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])  # "0.weight" was not overwritten
    del state["2.weight"]
    with pytest.raises(KeyError, match="missing keys"):
        model.load_state_dict(state)


def test_optimizer_and_scheduler_loads_are_all_or_nothing():
    p = nn.Parameter(np.ones(3))
    opt = nn.optim.Adam([p], lr=0.1)
    p.grad = np.ones(3)
    opt.step()
    state = opt.state_dict()
    bad = dict(state, **{k: np.zeros(5) for k in state if k.startswith("state.") and k.endswith("exp_avg")})
    lr_before = opt.param_groups[0]["lr"]
    other = nn.optim.Adam([nn.Parameter(np.ones(3))], lr=0.5)
    with pytest.raises(ValueError, match="exp_avg has shape"):
        other.load_state_dict(bad)
    assert other.param_groups[0]["lr"] == 0.5 and not other.state and opt.param_groups[0]["lr"] == lr_before
    sched = nn.optim.StepLR(other, step_size=2)
    sd = sched.state_dict()
    sd["last_lr"] = np.array(["x"])  # unreadable: nothing may change
    with pytest.raises(ValueError):
        sched.load_state_dict(sd)
    assert sched.step_size == 2 and sched.last_epoch == 0


WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from sutskever30.nn.checkpoint import save_checkpoint
    path, big = sys.argv[1], np.random.default_rng(0).standard_normal(4_000_000)  # 32 MB per save
    step = 0
    while True:
        step += 1
        save_checkpoint(path, {"w": big + step}, {"step": step})
        print(step, flush=True)
    """
)


def test_kill_during_a_write_keeps_the_last_good_checkpoint(tmp_path):
    path = tmp_path / "ckpt.npz"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "1"  # one complete checkpoint exists
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".ckpt.npz.*.tmp")):  # wait until the next write is under way
            assert time.monotonic() < deadline, "the writer never started a second save"
            time.sleep(0.001)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    stale = list(tmp_path.glob(".ckpt.npz.*.tmp"))
    assert stale, "the kill should leave the half-written temporary file behind"
    arrays, meta = load_checkpoint(path)  # the last good checkpoint survived
    assert meta["step"] >= 1 and arrays["w"].shape == (4_000_000,)
    save_checkpoint(path, {"w": np.zeros(2)}, {"step": 0})  # the next save removes the dead writer's file
    assert not list(tmp_path.glob(".ckpt.npz.*.tmp"))
    assert load_checkpoint(path)[1] == {"step": 0}


def test_a_live_writers_temp_file_is_kept(tmp_path):
    path = tmp_path / "ckpt.npz"
    live = tmp_path / f".ckpt.npz.{os.getppid()}.abc.tmp"  # the parent process: alive
    dead = tmp_path / ".ckpt.npz.nopid.tmp"  # an older naming without a pid: stale
    live.write_bytes(b"x")
    dead.write_bytes(b"x")
    save_checkpoint(path, {"w": np.zeros(2)}, {})
    assert live.exists() and not dead.exists()
