"""Keep freed array memory inside the process (glibc only), so big temporaries do not
page-fault on every training step.

Why: a training step allocates and frees the same few large arrays (activations, im2col
columns, gradients) every step. With glibc's defaults a freed block at the top of the
heap is handed back to the kernel once more than 128 KiB are free there (the "trim
threshold"), and blocks above a moving threshold are ``mmap``-ed and ``munmap``-ed each
time. Every new page then costs a page fault on first touch: measured on the conv-net
benchmark step (one BLAS thread) as ~7,000 minor faults and 17 ms of system time in a
42 ms step. Raising the trim threshold to 1 GiB and fixing the mmap threshold at 32 MiB
(glibc's own maximum for it) keeps those pages: the same step took 18 ms with no faults.
PyTorch sidesteps the same cost with its own caching allocator.

Effect: freed memory up to 1 GiB stays mapped in this process for reuse instead of
going back to the OS; arrays over 32 MiB are still mmap-ed and returned at once. Results
are unchanged (allocation never touches the arithmetic). It changes the allocator of the
whole process, so importing the package never applies it: the CLI, the tests and the
benchmarks call :func:`keep_freed_memory`, and a notebook may (``sutskever30.keep_freed_memory()``).
``SUTSKEVER30_NO_MALLOPT=1`` keeps the C library's defaults. On other C libraries (macOS,
musl, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import os
import platform

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers (malloc.h)
TRIM_THRESHOLD = 1 << 30  # bytes free at the heap top before glibc returns them to the OS
MMAP_THRESHOLD = 32 << 20  # allocations at least this large are mmap-ed (and unmapped on free)


_applied = False


def applied() -> bool:
    """True once :func:`keep_freed_memory` has changed this process's allocator."""
    return _applied


def keep_freed_memory() -> bool:
    """Apply the two ``mallopt`` settings above; True if they took effect."""
    global _applied
    if os.environ.get("SUTSKEVER30_NO_MALLOPT") or platform.system() != "Linux":
        return False
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # pragma: no cover - a Linux without glibc's soname
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # mallopt returns 1 on success; setting either disables glibc's dynamic thresholds
    _applied = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _applied
