"""repr/str of tensors (interim; being replaced by an exact port of PyTorch's formatter)."""
from __future__ import annotations

import numpy as np

__all__ = ['set_printoptions', 'get_printoptions']

_opts = {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    for k, v in (('precision', precision), ('threshold', threshold),
                 ('edgeitems', edgeitems), ('linewidth', linewidth)):
        if v is not None:
            _opts[k] = v
    _opts['sci_mode'] = sci_mode


def get_printoptions() -> dict:
    return dict(_opts)


def _str(self, *, tensor_contents=None) -> str:
    body = np.array2string(self._data, separator=', ', precision=_opts['precision'])
    return f'tensor({body})'
