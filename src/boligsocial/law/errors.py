"""Errors raised by the law layer. Messages are Danish because users read them."""


class LawError(Exception):
    """A rule or parameter needed for an evaluation is missing or inconsistent.

    Raised instead of ever falling back to a default: a list year with no rules in force must stop
    the evaluation and say what is missing. (A national conviction average nobody has supplied
    does not stop it: the convicted criteria are then unknown, see `law/thresholds.py`.)
    """
