"""``python -m numtorch run script.py [args...]`` and the ``numtorch`` console script."""
import sys

from numtorch._run import main

if __name__ == '__main__':
    sys.exit(main())
