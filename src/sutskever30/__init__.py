"""sutskever30: the 30 papers of Ilya Sutskever's reading list, in NumPy, trained and checked."""

__version__ = "0.1.0"
