"""numtorch.utils: hooks and, in submodules, data loading."""
