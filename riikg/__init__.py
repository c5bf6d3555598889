"""riikg: the Research and Innovation Infrastructure Knowledge Graph (core package)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("riikg")
except PackageNotFoundError:  # running from a checkout without installation
    __version__ = "0.0.0+checkout"

__all__ = ["__version__"]
