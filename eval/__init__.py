"""Evaluation suite and benchmarks for rag-fr: ``rag eval`` and ``rag bench`` (see eval/README.md).

Nothing here is imported by the ``rag`` package itself; importing ``eval`` is cheap, the heavy
modules (models, matplotlib) load only when a command runs.
"""
