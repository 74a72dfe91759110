"""Imported by the parser server (``server``) only, before it forks a worker: what every worker needs."""

import signal

from .lifeline import die_with_parent

die_with_parent()  # the server goes when the run goes, even under kill -9 (its workers follow it)
# Ctrl-C reaches the whole process group: the parent stops the run; the server must not die mid-import.
signal.signal(signal.SIGINT, signal.SIG_IGN)

import spacy.lang.ja  # noqa: E402 - the vocabulary cached parses are loaded into
import spacy.tokens  # noqa: E402,F401 - DocBin

from . import workers  # noqa: E402 - the worker code, the rule families and their rule files

workers.keep_freed_memory()  # inherited by every worker, and the model loads with it
