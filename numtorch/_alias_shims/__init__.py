"""Stand-in ``torch`` and ``torchvision`` packages for the worker processes of ``numtorch run``.

Spawned children re-run the script in a fresh interpreter; ``numtorch run`` puts this folder on
their ``sys.path`` so the script's ``import torch`` lands here and becomes ``import numtorch``.
"""
