"""Errors that the engine reports as a code and values.

The engine never phrases a message for users: it raises (or returns) a code
with the values that matter, and the Odoo layer phrases and translates them.
``str()`` of an error gives an English sentence for the command-line tools,
logs and tests.
"""


class CodedError(Exception):
    """An error identified by ``code`` with its values in ``params``.

    Subclasses give ``MESSAGES``: the English sentence of each code, a
    ``str.format`` template over the params.
    """

    MESSAGES: dict = {}

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(code, params)

    def __str__(self):
        template = self.MESSAGES.get(self.code)
        if template is None:
            return self.code
        params = {
            key: ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
            for key, value in self.params.items()
        }
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            return f"{self.code} {self.params}"


def issue(code, **params):
    """A problem of one row or value, as JSON-serialisable data: ``{"code": ..., **params}``."""
    return {"code": code, **params}
