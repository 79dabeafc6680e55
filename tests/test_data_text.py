import numpy as np
import pytest

from sutskever30.data.text import CharVocab, batchify, random_windows, stdlib_source, train_val_split


def test_stdlib_source_is_deterministic_ascii_python():
    text = stdlib_source(50_000)
    assert len(text) == 50_000 and text == stdlib_source(50_000)
    assert set(text) <= set(map(chr, range(32, 127))) | {"\n", "\t"}
    assert "def " in text and "import " in text
    assert stdlib_source(80_000).startswith(text)


def test_vocab_round_trip_and_errors():
    text = stdlib_source(20_000)
    v = CharVocab(text)
    ids = v.encode(text)
    assert ids.dtype == np.int64 and v.decode(ids) == text and len(v) == len(set(text))
    with pytest.raises(ValueError, match="not in the vocabulary"):
        CharVocab("abc").encode("abd")
    with pytest.raises(ValueError, match=r"ids must be in \[0, 3\)"):
        CharVocab("abc").decode(np.array([0, 3]))


def test_split_batchify_windows():
    ids = np.arange(1000)
    train, val = train_val_split(ids, 0.1)
    assert len(val) == 100 and train[-1] + 1 == val[0]
    rows = batchify(train, 4)  # (4, 225)
    assert rows.shape == (4, 225) and rows[1, 0] == rows[0, -1] + 1
    x, y = random_windows(train, 8, 16, np.random.default_rng(0))
    assert x.shape == y.shape == (8, 16)
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
    np.testing.assert_array_equal(y, x + 1)  # targets are the next ids of the stream
    x2, _ = random_windows(train, 8, 16, np.random.default_rng(0))
    np.testing.assert_array_equal(x, x2)
    with pytest.raises(ValueError, match="too few"):
        batchify(np.arange(5), 4)
