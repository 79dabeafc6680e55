"""Forward/backward pairs on plain ndarrays: every differentiable primitive in the engine.

Each primitive is a pair::

    out, cache = x_forward(*arrays, **options)
    grads = x_backward(dout, cache)

* ``out`` is one ndarray, or a tuple of ndarrays for ops with several outputs
  (``lstm_cell``'s ``(h, c)``); ``dout`` then has the same structure.
* ``grads`` is one ndarray when the op has one array input, otherwise a tuple with one
  entry per positional input, ``None`` where the input is not differentiable (class ids,
  masks, a missing bias).

The pairs are all the maths there is: ``autograd.Tensor`` only records which pair ran
and calls its backward. One file per family:

* ``core``: elementwise ops and activations, reductions, matmul/linear, softmax and
  losses, embedding, dropout, shape ops, gather/where, roll, normalize, cosine similarity;
* ``conv``: convolution, pooling, batch/layer norm, local response norm;
* ``recurrent``: RNN/LSTM/GRU cells and whole sequences (BPTT inside the pair);
* ``attention``: scaled dot-product attention;
* ``ctc``: connectionist temporal classification;
* ``graph``: index_add / scatter_add (segment sums for message passing).

    from sutskever30.nn import pairs
    out, cache = pairs.relu_forward(x)
    dx = pairs.relu_backward(dout, cache)
"""

from .attention import *  # noqa: F403
from .attention import __all__ as _attention
from .conv import *  # noqa: F403
from .conv import __all__ as _conv
from .core import *  # noqa: F403
from .core import __all__ as _core
from .ctc import *  # noqa: F403
from .ctc import __all__ as _ctc
from .graph import *  # noqa: F403
from .graph import __all__ as _graph
from .recurrent import *  # noqa: F403
from .recurrent import __all__ as _recurrent

__all__ = [*_core, *_conv, *_recurrent, *_attention, *_ctc, *_graph]

# rmc: the relational memory core's gated memory update (paper 18)
from .rmc import *  # noqa: E402, F403
from .rmc import __all__ as _rmc  # noqa: E402

__all__ += _rmc

# memory: the NTM's content/location addressing, read and erase/add write (paper 20)
from .memory import *  # noqa: E402, F403
from .memory import __all__ as _memory  # noqa: E402

__all__ += _memory
