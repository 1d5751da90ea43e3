"""``torch.nn.parallel``: DataParallel (on the CPU, the module runs unchanged)."""
from .data_parallel import DataParallel, data_parallel

__all__ = ['DataParallel', 'data_parallel']
