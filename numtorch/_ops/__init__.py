"""Every differentiable op, one family per file (see each module's docstring)."""
