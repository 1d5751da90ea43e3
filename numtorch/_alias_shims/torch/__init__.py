"""``torch`` in a child spawned by ``numtorch run``: it becomes numtorch's module."""
import os
import sys

try:
    import numtorch._run
except ImportError:  # numtorch not installed, only on the parent's path: it is 3 folders up
    sys.path.append(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))))))
    import numtorch._run

numtorch._run._shim(__name__)
