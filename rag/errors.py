"""The one exception type users see: its message is French and says what to do."""


class RagError(Exception):
    """An error caused by input or environment, reported to the user without a traceback."""
