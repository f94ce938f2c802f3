"""mplint: a static analyzer for Python multiprocessing pitfalls, with autofixes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mplint")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
