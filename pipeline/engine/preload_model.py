"""Imported by the parser server (``server``) only, for a run that will parse: GiNZA loaded once.

Every worker forked afterwards uses ``NLP`` (``workers.Worker.load_model``) and shares its weights
with the others. A failure leaves ``NLP`` None: each worker then loads the model itself, and the
article that needs it reports the error on its row.
"""
from ..parse import ginza  # noqa: F401 - first: Ctrl-C ignored, spaCy imported
from . import preload  # noqa: F401

try:
    NLP = ginza.load_model(fast=True)
except Exception:  # noqa: BLE001 - reported by the worker that loads it again
    NLP = None
