"""Offline French question answering over your documents, with verifiable citations."""
import os

# The embedder and llama.cpp use OpenMP. Its default spin-waiting threads made one query
# embedding take 3.4 s instead of 0.17 s whenever another process shared the two cores
# (a test server, a second worker); passive waiting costs nothing measurable when idle.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .assistant import Assistant
from .citations import Answer, AnswerSentence, Citation
from .config import Settings
from .errors import RagError
from .index import SyncReport

__all__ = ["Answer", "AnswerSentence", "Assistant", "Citation", "RagError", "Settings", "SyncReport"]
