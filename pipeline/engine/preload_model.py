"""Imported by the parser server (``server``) only, for a run that will parse: GiNZA loaded once.

Every worker forked afterwards uses it (``workers.SHARED_MODEL``) and shares its weights with the
others. A failure leaves it None: each worker then loads the model itself, and the article that
needs it reports the error on its row.
"""

from ..parse import ginza
from . import preload, workers  # noqa: F401 - preload: Ctrl-C ignored and spaCy imported before the model loads

try:
    workers.SHARED_MODEL = ginza.load_model(fast=True)
except Exception:  # noqa: BLE001 - reported by the worker that loads it again
    workers.SHARED_MODEL = None
