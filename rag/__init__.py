"""Offline French question answering over your documents, with verifiable citations."""
from .assistant import Assistant
from .citations import Answer, AnswerSentence, Citation
from .config import Settings
from .errors import RagError
from .index import SyncReport

__all__ = ["Answer", "AnswerSentence", "Assistant", "Citation", "RagError", "Settings", "SyncReport"]
