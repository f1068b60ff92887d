"""Errors raised by the law layer. Messages are Danish because users read them."""


class LawError(Exception):
    """A rule or parameter needed for an evaluation is missing or inconsistent.

    Raised instead of ever falling back to a default: a list year with no rules in force, or a
    national conviction average nobody has supplied, must stop the evaluation and say what is
    missing.
    """
