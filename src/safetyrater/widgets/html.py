"""HTML for the kit's pages: the one escaping helper, and case text made inert.

Every text that reaches HTML and was not written by the kit itself (case text,
learners' notes and ids, rubric hints, file names, messages) goes through
:func:`escape`, so it shows as text: a ``<script>`` in a case is never run, an
``onerror`` never fires. The cards, the note check, graded feedback, the
assessment report and the cohort report all build their HTML with it.
"""

from __future__ import annotations

import html

from ..bank.schema import REDACTION_MARKER

REDACTED_STYLE = "background:#333;color:#fff;padding:0 4px;border-radius:3px"


def escape(text: str) -> str:
    """``text`` as HTML text or attribute value: ``& < > " '`` escaped."""
    return html.escape(text, quote=True)


def render_text(text: str) -> str:
    """Case text as inert HTML: escaped, line breaks kept, redactions visible."""
    return REDACTION_MARKER.sub(
        lambda m: f'<span class="sr-redacted" style="{REDACTED_STYLE}">{m.group(0)}</span>',
        escape(text),
    )
