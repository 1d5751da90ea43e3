"""torch.utils.benchmark: Timer (timeit with warm-up, thread control and replicates),
Measurement (its statistics and summary) and Compare (tables of Measurements). Callgrind
instruction counts, C++ statements and the fuzzers are not included."""
from .utils.common import *  # noqa: F401,F403
from .utils.timer import *  # noqa: F401,F403
from .utils.compare import *  # noqa: F401,F403
