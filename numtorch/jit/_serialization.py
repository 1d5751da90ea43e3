"""torch.jit.save / load: TorchScript archives hold compiled code, which numtorch does not
have; both raise rather than write or read something else under that name."""
from __future__ import annotations

__all__ = ['save', 'load']

_MSG = ('numtorch.jit.{}: TorchScript archives are not supported (numtorch compiles no '
        'TorchScript). Save the weights with numtorch.save(model.state_dict(), f) and load '
        'them into the Python model with model.load_state_dict(numtorch.load(f)).')


def save(m, f, _extra_files=None) -> None:
    raise NotImplementedError(_MSG.format('save'))


def load(f, map_location=None, _extra_files=None, _restore_shapes: bool = False):
    raise NotImplementedError(_MSG.format('load'))
