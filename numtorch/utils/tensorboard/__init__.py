"""numtorch.utils.tensorboard: write TensorBoard event files (SummaryWriter), with NumPy
only; no tensorboard, TensorFlow or protobuf install is needed."""
from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
