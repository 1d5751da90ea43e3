"""torch.autograd.profiler: the legacy profiler API (numtorch/profiler/_legacy.py)."""
from ..profiler._legacy import (EventList, FunctionEvent, FunctionEventAvg,  # noqa: F401
                                profile, record_function)
