"""The engine: forward/backward pairs (``pairs``), a thin tape (``Tensor``), the
Tensor-level API (``functional``), modules, optimizers, gradient checks and checkpoints.
Names and semantics follow PyTorch.

    from sutskever30 import nn
    model = nn.Sequential(nn.Linear(2, 16, rng=rng), nn.ReLU(), nn.Linear(16, 3, rng=rng))
    loss = nn.cross_entropy(model(nn.Tensor(X)), y)
    loss.backward()

``nn.relu``, ``nn.cross_entropy``, ... are the functions of ``nn.functional`` (as
``torch.relu`` is ``torch.nn.functional.relu``).
"""

from . import checkpoint, checks, functional, gradcheck, optim, pairs
from .autograd import Parameter, Tensor, apply, is_grad_enabled, no_grad, result_type, tensor
from .functional import *  # noqa: F403
from .functional import __all__ as _functional
from .modules import *  # noqa: F403
from .modules import __all__ as _modules

__all__ = [
    # submodules
    "checkpoint",
    "checks",
    "functional",
    "gradcheck",
    "optim",
    "pairs",
    # the tape
    "Parameter",
    "Tensor",
    "apply",
    "is_grad_enabled",
    "no_grad",
    "result_type",
    "tensor",
    # the Tensor-level functions (each listed once, in functional.__all__)
    *_functional,
    *_modules,
]
