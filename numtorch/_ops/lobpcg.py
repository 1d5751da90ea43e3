"""torch.lobpcg: a few extreme eigenpairs of a symmetric (generalized) eigenproblem by the
Locally Optimal Block Preconditioned Conjugate Gradient method, following PyTorch's
torch/_lobpcg.py step for step (its 'ortho' and 'basic' update rules, convergence test,
SVQB orthogonalisation and eigenvector gradient), on NumPy arrays.

PyTorch's differences from the published algorithm are kept: on the first 'ortho' step
the residual uses zero eigenvalues, and the default tolerance is sqrt of a rounded
machine epsilon. Given the same ``X`` (or the same seed, since ``X`` is drawn from the
shared random stream) the iterates agree with PyTorch's up to rounding and the signs of
eigenvectors, which depend on the LAPACK eigensolver.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap, _CPP_TYPES
from ._generator import Generator
from ._op import Op
from .cholesky import cholesky_solve
from .decomposition import cholesky as _cholesky
from .random import randn

__all__ = ['lobpcg']


def _mm(a: np.ndarray | None, b: np.ndarray) -> np.ndarray:
    """``a @ b``, or ``b`` when ``a`` is None (an identity B or preconditioner)."""
    return b if a is None else a @ b


def _qform(a: np.ndarray | None, s: np.ndarray) -> np.ndarray:
    """S^T A S."""
    return s.T @ _mm(a, s)


def _norm(a: np.ndarray):
    """The Frobenius norm in ``a``'s own precision (a NumPy scalar of its dtype)."""
    flat = a.reshape(-1)
    return np.sqrt(np.dot(flat, flat))


def _symeig(a: np.ndarray, largest: bool | None = False):
    """Eigenpairs of the symmetric ``a`` (upper triangle read), descending if ``largest``."""
    e, z = np.linalg.eigh(a, UPLO='U')
    if largest:
        e = e[::-1]
        z = z[:, ::-1]
    return e, z


def _basis(a: np.ndarray) -> np.ndarray:
    """An orthonormal basis of a's columns (reduced QR's Q)."""
    return np.linalg.qr(a)[0]


class _Worker:
    """PyTorch's LOBPCG worker: the iterate X, Ritz values E, residual R and search
    basis S = [X, P, W] with its bookkeeping (converged count, columns in use)."""

    def __init__(self, A, B, X, iK, iparams: dict, fparams: dict, bparams: dict,
                 method: str, writes: list) -> None:
        self.A, self.B, self.iK = A, B, iK
        self.iparams, self.fparams, self.bparams = iparams, fparams, bparams
        self.method = method
        # Counts in-place writes into X (the caller's array under the basic scheme).
        self.writes = writes
        m, n = iparams['m'], iparams['n']
        self.X = X
        self.E = np.zeros(n, X.dtype)
        self.R = np.zeros((m, n), X.dtype)
        self.S = np.zeros((m, 3 * n), X.dtype)
        self.ivars: dict[str, int] = {'istep': 0}
        self.fvars: dict[str, float] = {'_': 0.0}

    def run(self) -> None:
        self.update()
        while not self.stop_iteration():
            self.update()

    def update(self) -> None:
        iv = self.ivars
        if iv['istep'] == 0:
            x_norm = float(_norm(self.X))
            ix_norm = x_norm ** -1
            self.fvars['X_norm'] = x_norm
            self.fvars['A_norm'] = float(_norm(_mm(self.A, self.X))) * ix_norm
            self.fvars['B_norm'] = float(_norm(_mm(self.B, self.X))) * ix_norm
            iv['iterations_left'] = self.iparams['niter']
            iv['converged_count'] = 0
            iv['converged_end'] = 0
        if self.method == 'ortho':
            self._update_ortho()
        else:
            self._update_basic()
        iv['iterations_left'] -= 1
        iv['istep'] += 1

    def update_residual(self) -> None:
        self.R = _mm(self.A, self.X) - _mm(self.B, self.X) * self.E

    def update_converged_count(self) -> int:
        """How many leading eigenpairs meet the backward-stable residual test (counting
        stops at the first that does not)."""
        prev = self.ivars['converged_count']
        X, R, E = self.X, self.R, self.E
        col_norm = np.sqrt(np.einsum('ij,ij->j', X, X))
        rerr = np.sqrt(np.einsum('ij,ij->j', R, R)) / (
            col_norm * (self.fvars['A_norm'] + np.abs(E[:X.shape[-1]]) * self.fvars['B_norm']))
        converged = rerr < self.fparams['tol']
        count = int(np.argmin(converged)) if not converged.all() else converged.size
        if count < prev:
            raise AssertionError(f'the number of converged eigenpairs (was {prev}, got '
                                 f'{count}) cannot decrease')
        self.ivars['converged_count'] = count
        return count

    def stop_iteration(self) -> bool:
        iv = self.ivars
        return iv['iterations_left'] == 0 or iv['converged_count'] >= self.iparams['k']

    def _update_basic(self) -> None:
        ns = self.ivars['converged_end']
        nc = self.ivars['converged_count']
        n = self.iparams['n']
        largest = self.bparams['largest']
        if self.ivars['istep'] == 0:
            ri = self._rayleigh_ritz_transform(self.X)
            e, z = _symeig(_qform(_qform(self.A, self.X), ri), largest)
            # NOTE: in place, as PyTorch's basic scheme overwrites the caller's X.
            self.X[:] = self.X @ (ri @ z)
            self.writes[0] += 1
            self.E[:] = e
            np_ = 0
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            w = _mm(self.iK, self.R)
        else:
            s_ = self.S[:, nc:ns]
            ri = self._rayleigh_ritz_transform(s_)
            e, z = _symeig(_qform(_qform(self.A, s_), ri), largest)
            self.X[:, nc:] = s_ @ (ri @ z[:, :n - nc])
            self.writes[0] += 1
            self.E[nc:] = e[:n - nc]
            p = s_ @ (ri @ z[:, n:2 * n - nc])
            np_ = p.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            self.S[:, n:n + np_] = p
            w = _mm(self.iK, self.R[:, nc:])
        ns = self.ivars['converged_end'] = n + np_ + w.shape[-1]
        self.S[:, n + np_:ns] = w

    def _update_ortho(self) -> None:
        ns = self.ivars['converged_end']
        nc = self.ivars['converged_count']
        n = self.iparams['n']
        largest = self.bparams['largest']
        if self.ivars['istep'] == 0:
            ri = self._rayleigh_ritz_transform(self.X)
            _, z = _symeig(_qform(_qform(self.A, self.X), ri), largest)
            self.X = self.X @ (ri @ z)
            # NOTE: E is still zero here, as in PyTorch: the first residual is A X.
            self.update_residual()
            np_ = 0
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            w = self._get_ortho(self.R, self.X)
        else:
            s_ = self.S[:, nc:ns]
            e, z = _symeig(_qform(self.A, s_), largest)
            self.X[:, nc:] = s_ @ z[:, :n - nc]
            self.E[nc:] = e[:n - nc]
            p = s_ @ (z[:, n - nc:] @ _basis(z[:n - nc, n - nc:].T))
            np_ = p.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            self.S[:, n:n + np_] = p
            w = self._get_ortho(self.R[:, nc:], self.S[:, :n + np_])
        ns = self.ivars['converged_end'] = n + np_ + w.shape[-1]
        self.S[:, n + np_:ns] = w

    def _rayleigh_ritz_transform(self, s: np.ndarray) -> np.ndarray:
        """Ri = D R^-1 with R^T R = Cholesky(D S^T B S D), D = diag(S^T B S)^-1/2: it turns
        the projected generalized problem into a standard one."""
        sbs = _qform(self.B, s)
        d_row = np.diagonal(sbs) ** -0.5
        d_col = d_row.reshape(-1, 1)
        r = _cholesky(_wrap((sbs * d_row) * d_col), upper=True)._data
        # X R = diag(d) solved for X, i.e. diag(d) R^-1.
        return np.linalg.solve(r.T, np.diag(d_row).T).T

    def _get_svqb(self, u: np.ndarray, drop: bool, tau: float) -> np.ndarray:
        """B-orthonormal columns spanning u's (SVQB; small directions are dropped or
        lifted to ``tau`` times the largest)."""
        if u.size == 0:
            return u
        ubu = _qform(self.B, u)
        d = np.diagonal(ubu)
        nz = np.flatnonzero(np.abs(d) != 0.0)
        if nz.size < d.size:
            # Exactly zero columns would divide by zero below: leave them out.
            u = u[:, nz]
            if u.size == 0:
                return u
            ubu = _qform(self.B, u)
            d = np.diagonal(ubu)
        d_col = (d ** -0.5).reshape(-1, 1)
        e, z = _symeig((ubu * d_col) * d_col.T)
        t = tau * np.abs(e).max()
        if drop:
            keep = np.flatnonzero(e > t)
            e, z, d_col = e[keep], z[:, keep], d_col[keep]
        else:
            e = e.copy()
            e[e < t] = t
        return (u * d_col.T) @ (z * e ** -0.5)

    def _get_ortho(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """B-orthonormal columns from u, B-orthogonal to v's (repeated projection and
        SVQB until both relative errors are below ``ortho_tol``)."""
        m = self.iparams['m']
        tau_ortho = self.fparams['ortho_tol']
        tau_drop = self.fparams['ortho_tol_drop']
        tau_replace = self.fparams['ortho_tol_replace']
        i_max = self.iparams['ortho_i_max']
        j_max = self.iparams['ortho_j_max']
        use_drop = self.bparams['ortho_use_drop']
        bv_norm = _norm(_mm(self.B, v))
        bu = _mm(self.B, u)
        vbu = v.T @ bu
        for _ in range(i_max):
            u = u - v @ vbu
            drop = False
            tau_svqb = tau_drop
            for _ in range(j_max):
                if use_drop:
                    u = self._get_svqb(u, drop, tau_svqb)
                    drop = True
                    tau_svqb = tau_replace
                else:
                    u = self._get_svqb(u, False, tau_replace)
                if u.size == 0:
                    return u
                bu = _mm(self.B, u)
                ubu = u.T @ bu
                r = ubu - np.eye(ubu.shape[-1], dtype=ubu.dtype)
                rerr = float(_norm(r)) * float(_norm(bu) * _norm(u)) ** -1
                if rerr < tau_ortho:
                    break
            vbu = v.T @ bu
            rerr = float(_norm(vbu)) * float(bv_norm * _norm(u)) ** -1
            if rerr < tau_ortho:
                break
            if m < u.shape[-1] + v.shape[-1]:
                B = self.B
                if B is None:
                    raise AssertionError('B must not be None')
                raise ValueError(f'Overdetermined shape of U: #B-cols(={B.shape[-1]}) >= '
                                 f'#U-cols(={u.shape[-1]}) + #V-cols(={v.shape[-1]}) must hold')
        return u


# -- gradient ----------------------------------------------------------------------------
def _backward_complete(gd, gu, d, u):
    """gA = U (diag(gD) + (U^T gU) * F) U^T with F_ij = 1/(d_j - d_i), F_ii = 0."""
    f = d[None, :] - d[:, None]
    np.fill_diagonal(f, np.inf)
    f = f ** -1
    ut = u.T
    return u @ ((np.diag(gd) + (ut @ gu) * f) @ ut)


def _poly_coeffs(roots: np.ndarray) -> np.ndarray:
    """Coefficients (a_0, ..., a_n = 1) of prod (x - r_i), by Horner-style updates."""
    k = roots.shape[-1]
    c = np.zeros(k + 2, roots.dtype)
    c[0] = 1
    c[-1] = 1
    for i in range(1, k + 1):
        c[k - i:k + 1] -= roots[i - 1] * c[k - i + 1:k + 2]
    return c[1:k + 2]


def _backward_partial(gd, gu, a, d, u, largest: bool, rnd: np.ndarray):
    """The gradient for k < m eigenpairs: the span(U) part as for a full eigenspace plus
    the solution of the Sylvester equation on U's orthogonal complement (PyTorch's
    polynomial solution; ``rnd`` spans the complement once projected)."""
    ut = u.T
    proj = -(u @ ut)
    proj[np.diag_indices_from(proj)] += 1
    u_ortho = proj @ rnd
    u_ortho_t = u_ortho.T
    chr_poly = _poly_coeffs(d)
    projected = gu
    series = np.zeros_like(gu)
    for k in range(1, chr_poly.shape[-1]):
        # chr_poly[k:] evaluated at each eigenvalue (Horner's rule).
        coeffs = chr_poly[k:]
        val = np.ones_like(d)
        for c in coeffs[-2::-1]:
            val = c + d * val
        series += projected * val[None, :]
        projected = a @ projected
    at_a = np.eye(a.shape[-1], dtype=a.dtype)
    for c in chr_poly[-2::-1]:
        at_a = a @ at_a
        at_a[np.diag_indices_from(at_a)] += c
    restricted = u_ortho_t @ (at_a @ u_ortho)
    sign = -1 if (largest and (k % 2 == 1)) else +1
    low = _cholesky(_wrap(sign * restricted))
    res = _backward_complete(gd, gu, d, u)
    sol = cholesky_solve(_wrap(u_ortho_t @ series), low)._data
    res -= (u_ortho @ (sign * sol)) @ ut
    return res


class Lobpcg(Op):
    """LOBPCG as one graph node over the symmetrised A: its gradient is the symmetric
    eigenproblem's, restricted to the k computed eigenpairs (B must be None)."""
    _name = 'LOBPCGAutogradFunctionBackward'

    def __init__(self, run, largest, has_b: bool) -> None:
        self.run = run
        self.largest = largest
        self.has_b = has_b

    def forward(self, a, b=None):
        e, x = self.run(a, b)
        self.saved = (a, e, x)
        return e, x

    def backward(self, gd, gu):
        a, d, u = self.saved
        if self.has_b:
            raise ValueError('lobpcg.backward does not support backward with B != I yet.')
        if gd is None:
            gd = np.zeros_like(d)
        if gu is None:
            gu = np.zeros_like(u)
        largest = True if self.largest is None else self.largest
        m, k = u.shape[-2:]
        batch = a.shape[:-2]
        count = int(np.prod(batch))
        a3, d2, u3 = a.reshape((count, m, m)), d.reshape((count, k)), u.reshape((count, m, k))
        gd2, gu3 = gd.reshape((count, k)), gu.reshape((count, m, k))
        ga = np.empty_like(a3)
        if k == m:
            for i in range(count):
                ga[i] = _backward_complete(gd2[i], gu3[i], d2[i], u3[i])
        else:
            # PyTorch draws the complement's random basis from a fresh default-seeded
            # generator (the gradient does not depend on it, only its rounding does).
            rnd = randn(batch + (m, m - k), dtype=_wrap(a).dtype, generator=Generator())._data
            rnd = rnd.reshape((count, m, m - k))
            for i in range(count):
                ga[i] = _backward_partial(gd2[i], gu3[i], a3[i], d2[i], u3[i], largest, rnd[i])
        return ga.reshape(a.shape)


# -- entry point ---------------------------------------------------------------------------
def _solve(A, k, B, X, n, iK, niter, tol, largest, method, ortho_iparams, ortho_fparams,
           ortho_bparams, writes: list):
    """PyTorch's _lobpcg on arrays: checks, parameters, then one worker per matrix."""
    if A.shape[-2] != A.shape[-1]:
        raise AssertionError(f'A must be square, got shape {_wrap(A).shape}')
    if B is not None and A.shape != B.shape:
        raise AssertionError(f'A and B must have same shape, got {_wrap(A).shape} vs '
                             f'{_wrap(B).shape}')
    dtype = A.dtype if A.dtype.kind == 'f' else np.dtype(np.float32)
    if tol is None:
        feps = {np.dtype(np.float32): 1.2e-07, np.dtype(np.float64): 2.23e-16}
        if dtype not in feps:
            raise KeyError(_wrap(np.zeros(0, dtype)).dtype)
        tol = feps[dtype] ** 0.5
    m = A.shape[-1]
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(f'LOBPCG algorithm is not applicable when the number of A rows (={m})'
                         f' is smaller than 3 x the number of requested eigenpairs (={n})')
    method = 'ortho' if method is None else method
    iparams = {'m': m, 'n': n, 'k': k, 'niter': 1000 if niter is None else niter}
    fparams = {'tol': tol}
    bparams = {'largest': True if largest is None else largest}
    if method == 'ortho':
        if ortho_iparams is not None:
            iparams.update(ortho_iparams)
        if ortho_fparams is not None:
            fparams.update(ortho_fparams)
        if ortho_bparams is not None:
            bparams.update(ortho_bparams)
        iparams.setdefault('ortho_i_max', 3)
        iparams.setdefault('ortho_j_max', 3)
        fparams.setdefault('ortho_tol', tol)
        fparams.setdefault('ortho_tol_drop', tol)
        fparams.setdefault('ortho_tol_replace', tol)
        bparams.setdefault('ortho_use_drop', False)

    def one(a, b, x):
        if x is None:
            x = randn((m, n), dtype=_wrap(np.zeros(0, dtype)).dtype)._data
        if not (x.ndim == 2 and x.shape == (m, n)):
            raise AssertionError(f'X shape mismatch: got {_wrap(x).shape}, expected {(m, n)}')
        if a.dtype != x.dtype:
            raise RuntimeError('expected m1 and m2 to have the same dtype, but got: '
                               f'{_CPP_TYPES[a.dtype.name]} != {_CPP_TYPES[x.dtype.name]}')
        worker = _Worker(a, b, x, iK, iparams, fparams, bparams, method, writes)
        worker.run()
        return worker.E[:k], worker.X[:, :k]

    if A.ndim == 2:
        return one(A, B, X)
    batch = A.shape[:-2]
    count = int(np.prod(batch))
    bA = A.reshape((count, m, m))
    bB = None if B is None else B.reshape((count, m, m))
    bX = None if X is None else X.reshape((count,) + X.shape[-2:])
    es, xs = [], []
    for i in range(count):
        iparams['batch_index'] = i
        e, x = one(bA[i], None if bB is None else bB[i], None if bX is None else bX[i])
        es.append(e)
        xs.append(x)
    kk = es[0].shape[-1]
    return (np.stack(es).astype(dtype, copy=False).reshape(batch + (kk,)),
            np.stack(xs).astype(dtype, copy=False).reshape(batch + (m, kk)))


def lobpcg(A: Tensor, k: int | None = None, B: Tensor | None = None, X: Tensor | None = None,
           n: int | None = None, iK: Tensor | None = None, niter: int | None = None,
           tol: float | None = None, largest: bool | None = None, method: str | None = None,
           tracker: None = None, ortho_iparams: dict[str, int] | None = None,
           ortho_fparams: dict[str, float] | None = None,
           ortho_bparams: dict[str, bool] | None = None) -> tuple[Tensor, Tensor]:
    """The k largest (``largest=True``, default) or smallest eigenvalues of the symmetric
    positive-definite problem A x = lambda B x (B = I when None) and their eigenvectors,
    by LOBPCG from the initial block X (random normal, m x n, when None).

    ``method`` 'ortho' (default) B-orthogonalises the search directions; any other value
    runs the basic scheme, which applies the preconditioner ``iK`` to the residuals.
    Returns (E, X): E of shape (*, k), X of shape (*, m, k). A gradient flows to A only
    (through its symmetric part), as in PyTorch.
    """
    if tracker is not None:
        raise NotImplementedError('torch.lobpcg(tracker=...) is not supported by numtorch')
    x = None if X is None else X._data
    writes = [0]
    ik = None if iK is None else iK._data

    def run(a, b):
        return _solve(a, k, b, x, n, ik, niter, tol, largest, method, ortho_iparams,
                      ortho_fparams, ortho_bparams, writes)

    if A.requires_grad or (B is not None and B.requires_grad):
        # A's gradient need not be symmetric; going through A's symmetric part makes it so
        # (and B's, which the forward then uses too).
        ts = [(A + A.mT) / 2]
        if B is not None:
            ts.append((B + B.mT) / 2)
        res = Lobpcg(run, largest, B is not None).apply(*ts)
    else:
        e, v = run(A._data, None if B is None else B._data)
        res = _wrap(e), _wrap(v)
    if X is not None and writes[0]:
        # The basic scheme wrote into X in place: PyTorch counts each write.
        if X._vc is None:
            X._vc = [0]
        X._vc[0] += writes[0]
    return res
