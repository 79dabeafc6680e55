"""Checkpoints: round trips, pickle-free files, atomic writes, rng state, clear errors."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn.checkpoint import (
    META_KEY,
    load_checkpoint,
    rng_state,
    save_checkpoint,
    set_rng_state,
)


def test_round_trip_keeps_values_dtypes_and_meta(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "model/0.weight": rng.normal(size=(3, 4)).astype(np.float32),
        "model/0.bias": rng.normal(size=4),
        "steps": np.arange(5, dtype=np.int64),
        "mask": np.array([True, False]),
        "scalar": np.array(2.5),
    }
    meta = {"step": 17, "name": "run", "nested": {"lr": 0.1, "sizes": [1, 2]}}
    path = tmp_path / "ckpt.npz"
    save_checkpoint(path, arrays, meta)
    loaded, loaded_meta = load_checkpoint(path)
    assert loaded_meta == meta
    assert list(loaded) == list(arrays)
    for key, value in arrays.items():
        assert loaded[key].dtype == value.dtype, key
        np.testing.assert_array_equal(loaded[key], value)


def test_file_is_a_plain_npz_loadable_without_pickle(tmp_path):
    path = tmp_path / "ckpt.npz"
    save_checkpoint(path, {"w": np.ones(3)}, {"step": 1})
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as data:
        assert set(data.files) == {"w", META_KEY}
        assert data[META_KEY].dtype == np.uint8
        assert json.loads(data[META_KEY].tobytes()) == {"step": 1}


def test_module_state_dict_round_trip(tmp_path):
    model = nn.Sequential(
        nn.Linear(4, 8, rng=np.random.default_rng(1)),
        nn.ReLU(),
        nn.Linear(8, 2, rng=np.random.default_rng(2)),
    )
    save_checkpoint(tmp_path / "m.npz", model.state_dict(), {})
    other = nn.Sequential(
        nn.Linear(4, 8, rng=np.random.default_rng(3)),
        nn.ReLU(),
        nn.Linear(8, 2, rng=np.random.default_rng(4)),
    )
    assert not np.array_equal(other.state_dict()["0.weight"], model.state_dict()["0.weight"])
    arrays, _ = load_checkpoint(tmp_path / "m.npz")
    other.load_state_dict(arrays)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[key], value)


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.MT19937, np.random.Philox])
def test_rng_state_round_trip_through_json(bit_generator):
    rng = np.random.Generator(bit_generator(123))
    rng.normal(size=7)  # advance, and leave a cached value for some generators
    state = json.loads(json.dumps(rng_state(rng)))  # must survive plain JSON
    expected = rng.random(5)
    other = np.random.Generator(bit_generator(999))
    set_rng_state(other, state)
    np.testing.assert_array_equal(other.random(5), expected)


def test_rng_state_stores_big_integers_as_strings():
    state = rng_state(np.random.default_rng(5))

    def ints(x):
        if isinstance(x, dict):
            return [v for item in x.values() for v in ints(item)]
        if isinstance(x, list):
            return [v for item in x for v in ints(item)]
        return [x] if isinstance(x, int) and not isinstance(x, bool) else []

    assert ints(state) == [], "JSON numbers above 2**53 lose precision outside Python"
    text = json.dumps(state)
    assert str(np.random.default_rng(5).bit_generator.state["state"]["state"]) in text


def test_set_rng_state_rejects_other_bit_generator():
    state = rng_state(np.random.Generator(np.random.MT19937(0)))
    with pytest.raises(ValueError, match="MT19937.*PCG64"):
        set_rng_state(np.random.default_rng(0), state)


def test_crash_mid_write_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    save_checkpoint(path, {"w": np.zeros(4)}, {"step": 1})
    before = path.read_bytes()

    real_savez = np.savez

    def crashing_savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half a zip file")  # the temp file is open and partly written
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(np, "savez", crashing_savez)
    with pytest.raises(OSError, match="simulated"):
        save_checkpoint(path, {"w": np.ones(4)}, {"step": 2})
    monkeypatch.setattr(np, "savez", real_savez)

    assert path.read_bytes() == before
    arrays, meta = load_checkpoint(path)
    assert meta == {"step": 1}
    np.testing.assert_array_equal(arrays["w"], np.zeros(4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.npz"], "temp file left behind"


def test_overwrite_replaces_previous_checkpoint(tmp_path):
    path = tmp_path / "ckpt.npz"
    save_checkpoint(path, {"w": np.zeros(2)}, {"step": 1})
    save_checkpoint(path, {"w": np.ones(2)}, {"step": 2})
    arrays, meta = load_checkpoint(path)
    assert meta["step"] == 2
    np.testing.assert_array_equal(arrays["w"], np.ones(2))


def test_missing_directory_gives_clear_error(tmp_path):
    with pytest.raises(OSError, match="does not exist"):
        save_checkpoint(tmp_path / "nope" / "ckpt.npz", {"w": np.zeros(1)}, {})


def test_directory_that_is_a_file_gives_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(OSError, match="cannot write checkpoint"):
        save_checkpoint(blocker / "ckpt.npz", {"w": np.zeros(1)}, {})


def test_rejects_object_arrays_reserved_names_and_nan_meta(tmp_path):
    path = tmp_path / "c.npz"
    with pytest.raises(TypeError, match="object"):
        save_checkpoint(path, {"w": np.array([{"a": 1}], dtype=object)}, {})
    with pytest.raises(ValueError, match="reserved"):
        save_checkpoint(path, {META_KEY: np.zeros(1)}, {})
    with pytest.raises(TypeError, match="JSON"):
        save_checkpoint(path, {"w": np.zeros(1)}, {"loss": float("nan")})
    assert not path.exists()


def test_load_missing_or_foreign_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_checkpoint(tmp_path / "missing.npz")
    np.savez(tmp_path / "foreign.npz", w=np.zeros(1))
    with pytest.raises(ValueError, match="not a sutskever30 checkpoint"):
        load_checkpoint(tmp_path / "foreign.npz")
