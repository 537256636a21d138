"""The one exception of the ``compare`` command."""


class CommandError(Exception):
    """A problem with the command line or its input: one line on stderr, exit status 2."""
