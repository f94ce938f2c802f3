"""mplint: a static analyzer for Python multiprocessing pitfalls, with autofixes."""

__version__ = "0.1.0"

__all__ = ["__version__"]
