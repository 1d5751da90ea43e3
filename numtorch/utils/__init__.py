"""numtorch.utils: hooks and, in submodules, data loading."""
from . import data  # noqa: F401
