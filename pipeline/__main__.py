"""``python -m pipeline``: see ``pipeline.cli``."""

import os
import sys

from .cli import main

code = main()
sys.stdout.flush()
sys.stderr.flush()
# Every output is written, renamed and closed, the lock released, the workers gone: tearing the
# interpreter's objects down one by one would only add time to every run.
os._exit(code)
