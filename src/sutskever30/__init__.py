"""sutskever30: the 30 papers of Ilya Sutskever's reading list, in NumPy, trained and checked."""

from ._malloc import keep_freed_memory

__version__ = "0.1.0"
__all__ = ["keep_freed_memory"]
