"""``python -m pipeline.bench`` (``make bench``)."""

import sys

from . import main

sys.exit(main())
