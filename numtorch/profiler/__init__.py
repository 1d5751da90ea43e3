"""torch.profiler: time numtorch's ops, backward nodes and named ranges (CPU only).

See numtorch/profiler/profiler.py for the API and numtorch/profiler/_record.py for what is
recorded and how ops are named.
"""
from .profiler import (ProfilerAction, ProfilerActivity, kineto_available, profile,
                       record_function, schedule, supported_activities,
                       tensorboard_trace_handler)
from .profiler import _KinetoProfile  # noqa: F401  (torch.profiler._KinetoProfile)

__all__ = ['ProfilerAction', 'ProfilerActivity', 'kineto_available', 'profile',
           'record_function', 'schedule', 'supported_activities', 'tensorboard_trace_handler']
