"""sutskever30: the 30 papers of Ilya Sutskever's reading list, in NumPy, trained and checked."""

from ._malloc import keep_freed_memory

__version__ = "0.1.0"

# Freed array memory is kept for reuse instead of page-faulting back in every training step
# (about 2x on a conv-net step; see _malloc.py). SUTSKEVER30_NO_MALLOPT=1 turns it off.
MALLOC_TUNED = keep_freed_memory()
