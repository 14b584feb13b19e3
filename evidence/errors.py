"""The one error the intake pipeline raises: a refusal with a message for people."""
from __future__ import annotations

from errors import HavenError

ACCEPTED_TYPES = (
    "JPEG, PNG, WebP, HEIC, PDF, Word/Excel/PowerPoint (docx/xlsx/pptx), ODT, plain text, CSV"
)


class IntakeError(HavenError, ValueError):
    """A file was refused; ``str(error)`` says what was found and what is accepted.

    ``code`` is a short stable word for logs and tests ("type", "size", "pixels",
    "damaged", "pdf", "macros", "archive", "text").
    """

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @classmethod
    def wrong_type(cls, found: str) -> IntakeError:
        """Refuse a file whose content is ``found`` (e.g. "an HTML document")."""
        return cls(f"This file is {found}, not one of the accepted types: {ACCEPTED_TYPES}.", code="type")
