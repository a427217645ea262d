"""vellum's exceptions: one class per error code of the C++ library.

Every failure raises a subclass of :class:`Error`; nothing returns False. Where a built-in
exception means the same thing, the class derives from it too (``NotFound`` is a ``LookupError``,
``InvalidArgument`` a ``ValueError``), so ``except ValueError`` keeps working.

A message may quote what a peer sent; its terminal control characters (ESC and the rest but tab
and newline) are shown as ``\\xNN``, as the command line shows them.
"""


class Error(Exception):
    """Base class of every vellum error."""


class NotFound(Error, LookupError):
    """The thing asked for does not exist (an index past the end, an unknown hash, a missing file)."""


class InvalidArgument(Error, ValueError):
    """The input is malformed or out of range; nothing was written."""


class Corruption(Error):
    """Stored data contradicts itself: a damaged or tampered file."""


class VerificationError(Error):
    """A proof, signature or peer statement did not check out; the message names the check."""


class Conflict(Error):
    """The request contradicts existing state (an existing file, a mirror, an inconsistent checkpoint)."""


class IOFailure(Error, OSError):
    """The file system or SQLite failed."""


class Unavailable(Error, ConnectionError):
    """A peer or resource could not be reached or is busy."""


class NoSpace(IOFailure):
    """The disk or the file size limit is full; nothing was written."""


__all__ = [
    "Error",
    "NotFound",
    "InvalidArgument",
    "Corruption",
    "VerificationError",
    "Conflict",
    "IOFailure",
    "Unavailable",
    "NoSpace",
]
