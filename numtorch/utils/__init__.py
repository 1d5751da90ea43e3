"""numtorch.utils: hooks and, in submodules, data loading."""
from . import data  # noqa: F401
from . import checkpoint  # noqa: F401
