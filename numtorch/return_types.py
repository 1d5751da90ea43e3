"""The named tuples some ops return (``torch.return_types.max`` and friends)."""
from __future__ import annotations

__all__ = ['max', 'min', 'sort', 'topk', 'kthvalue', 'median', 'nanmedian', 'mode', 'cummax',
           'cummin', 'aminmax', 'std_mean', 'var_mean', 'linalg_slogdet', 'linalg_eig',
           'linalg_eigh', 'linalg_svd', 'linalg_qr', 'qr', 'linalg_lstsq', 'linalg_inv_ex',
           'linalg_cholesky_ex', 'linalg_solve_ex', 'linalg_lu_factor', 'linalg_lu_factor_ex',
           'linalg_lu', 'lu_unpack', 'triangular_solve', 'geqrf', 'histogram', 'histogramdd']


def _make(name: str, fields: tuple) -> type:
    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], (tuple, list)):
            args = tuple(args[0])
        return tuple.__new__(cls, args or tuple(kwargs[f] for f in fields))

    def __repr__(self) -> str:
        body = ',\n'.join(f'{f}={v!r}' for f, v in zip(fields, self))
        return f'torch.return_types.{name}(\n{body})'

    def __reduce__(self):
        return (self.__class__, (tuple(self),))

    ns = {'__new__': __new__, '__repr__': __repr__, '__reduce__': __reduce__,
          '__slots__': (), '_fields': fields, '__module__': 'torch.return_types',
          'n_fields': len(fields), 'n_sequence_fields': len(fields), 'n_unnamed_fields': 0}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(name, (tuple,), ns)
    cls.__qualname__ = name
    return cls


_VI = ('values', 'indices')
max = _make('max', _VI)
min = _make('min', _VI)
sort = _make('sort', _VI)
topk = _make('topk', _VI)
kthvalue = _make('kthvalue', _VI)
median = _make('median', _VI)
nanmedian = _make('nanmedian', _VI)
mode = _make('mode', _VI)
cummax = _make('cummax', _VI)
cummin = _make('cummin', _VI)
aminmax = _make('aminmax', ('min', 'max'))
std_mean = _make('std_mean', ('std', 'mean'))
var_mean = _make('var_mean', ('var', 'mean'))
linalg_slogdet = _make('linalg_slogdet', ('sign', 'logabsdet'))
linalg_eig = _make('linalg_eig', ('eigenvalues', 'eigenvectors'))
linalg_eigh = _make('linalg_eigh', ('eigenvalues', 'eigenvectors'))
linalg_svd = _make('linalg_svd', ('U', 'S', 'Vh'))
linalg_qr = _make('linalg_qr', ('Q', 'R'))
qr = _make('qr', ('Q', 'R'))
linalg_lstsq = _make('linalg_lstsq', ('solution', 'residuals', 'rank', 'singular_values'))
linalg_inv_ex = _make('linalg_inv_ex', ('inverse', 'info'))
linalg_cholesky_ex = _make('linalg_cholesky_ex', ('L', 'info'))
linalg_solve_ex = _make('linalg_solve_ex', ('result', 'info'))
linalg_lu_factor = _make('linalg_lu_factor', ('LU', 'pivots'))
linalg_lu_factor_ex = _make('linalg_lu_factor_ex', ('LU', 'pivots', 'info'))
linalg_lu = _make('linalg_lu', ('P', 'L', 'U'))
lu_unpack = _make('lu_unpack', ('P', 'L', 'U'))
triangular_solve = _make('triangular_solve', ('solution', 'cloned_coefficient'))
geqrf = _make('geqrf', ('a', 'tau'))
histogram = _make('histogram', ('hist', 'bin_edges'))
histogramdd = _make('histogramdd', ('hist', 'bin_edges'))
