"""Errors the command line reports as one line on stderr with exit code 2."""


class InputError(ValueError):
    """The user asked for something impossible or malformed; the message says what and why."""


class VerificationError(AssertionError):
    """A derived algorithm failed the exact identity: a bug, never shown or exported."""
