"""Writes numtorch/quasirandom/_sobol_directions.bin from the Joe-Kuo D(6) direction numbers.

The source is the table SciPy ships (scipy/stats/_sobol_direction_numbers.npz: `poly` and
`vinit` for 21201 dimensions), the same new-joe-kuo-6.21201 data PyTorch compiles into
SobolEngineOpsUtils.h. Run once by hand; numtorch never needs SciPy at run time.

Layout (all bit fields MSB first, one bit stream packed with np.packbits):
  b'NTSOBOL1', uint32 ndim, 19 x uint32 counts of dimensions per polynomial degree 0..18
  (degrees never decrease along the table), then the bit stream:
  - for every dimension of degree m >= 1, the m - 1 inner coefficients of its polynomial
    (the leading and constant coefficients are always 1);
  - for column i = 0..17, for every dimension of degree > i, the initial direction number
    m_i >> 1 in i bits (m_i is odd and below 2**(i + 1)).
"""
import os
import sys

import numpy as np

MAXDEG = 18


def main(npz_path: str, out_path: str) -> None:
    d = np.load(npz_path)
    poly = d['poly'].astype(np.int64)
    vinit = d['vinit'].astype(np.int64)
    ndim = len(poly)
    deg = np.array([int(p).bit_length() - 1 for p in poly])
    assert (np.diff(deg) >= 0).all() and deg.max() <= MAXDEG
    assert (poly & 1).all()
    counts = np.bincount(deg, minlength=MAXDEG + 1)
    bits = []
    for k in range(ndim):
        m = deg[k]
        if m >= 1:
            inner = (int(poly[k]) >> 1) & ((1 << (m - 1)) - 1)
            bits.extend((inner >> b) & 1 for b in range(m - 2, -1, -1))
    for i in range(MAXDEG):
        for k in np.nonzero(deg > i)[0]:
            v = int(vinit[k, i])
            assert v & 1 and v < (1 << (i + 1))
            bits.extend(((v >> 1) >> b) & 1 for b in range(i - 1, -1, -1))
    stream = np.packbits(np.array(bits, dtype=np.uint8))
    with open(out_path, 'wb') as f:
        f.write(b'NTSOBOL1')
        f.write(np.array([ndim], dtype='<u4').tobytes())
        f.write(counts.astype('<u4').tobytes())
        f.write(stream.tobytes())


if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, '..', 'numtorch', 'quasirandom', '_sobol_directions.bin')
    main(sys.argv[1], out)
