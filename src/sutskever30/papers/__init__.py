"""One module per paper, ``pNN_slug.py`` (see ``sutskever30.registry`` for the list and
``sutskever30.experiment`` for the interface each module provides)."""
