"""torch.device: where a tensor lives. numtorch computes on the CPU (NumPy)."""
from __future__ import annotations

__all__ = ['device']

_TYPES = ('cpu', 'cuda', 'ipu', 'xpu', 'mkldnn', 'opengl', 'opencl', 'ideep', 'hip', 've',
          'fpga', 'maia', 'xla', 'lazy', 'vulkan', 'mps', 'meta', 'hpu', 'mtia', 'privateuseone')


class device:
    """A device name, ``device('cpu')`` or ``device('cuda', 0)`` / ``device('cuda:0')``."""
    __slots__ = ('type', 'index')

    def __init__(self, type, index: int | None = None) -> None:
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            # torch.device(0) means the first accelerator.
            type, index = 'cuda', type
        kind, sep, idx = type.partition(':')
        if kind not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                               f'device string: {type}')
        if sep:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        self.type = kind
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f'{self.type}:{self.index}'

    def __eq__(self, other) -> bool:
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type,) if self.index is None else (self.type, self.index))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


CPU = device('cpu')


def check_device(d) -> None:
    """Raises as PyTorch does for a device this build cannot compute on."""
    if d is None or d is CPU:
        return
    d = d if isinstance(d, device) else device(d)
    if d.type == 'cpu':
        return
    if d.type == 'cuda':
        raise AssertionError('Torch not compiled with CUDA enabled')
    raise RuntimeError(f"numtorch supports only the 'cpu' device, got '{d}'")
