"""HTML for the kit's pages: the one escaping helper, and case text made inert.

Every text that reaches HTML and was not written by the kit itself (case text,
learners' notes and ids, rubric hints, file names, messages) goes through
:func:`escape`, so it shows as text: a ``<script>`` in a case is never run, an
``onerror`` never fires. The cards, the note check, graded feedback, the
assessment report and the cohort report all build their HTML with it.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

from ..bank.schema import REDACTION_MARKER

REDACTED_STYLE = "background:#333;color:#fff;padding:0 4px;border-radius:3px"


def escape(text: str) -> str:
    """``text`` as HTML text or attribute value: ``& < > " '`` escaped."""
    return html.escape(text, quote=True)


def _mark_redactions(rendered: str) -> str:
    return REDACTION_MARKER.sub(lambda m: f'<span class="sr-redacted" style="{REDACTED_STYLE}">{m.group(0)}</span>', rendered)


def render_text(text: str) -> str:
    """Case text as inert HTML: escaped, line breaks kept, redactions visible."""
    return _mark_redactions(escape(text))


@cache
def _markdown() -> Any:
    # start-up speed: mistune is only needed once a response is shown
    import mistune
    from mistune.renderers.html import HTMLRenderer

    class InertRenderer(HTMLRenderer):
        """Markdown as a model's answer looks, but nothing that runs or fetches: links show their address, images their alt text."""

        def link(self, text: str, url: str, title: str | None = None) -> str:
            return f'{text} <span class="sr-link">({escape(url)})</span>'

        def image(self, text: str, url: str, title: str | None = None) -> str:
            return f"[image: {escape(text)}]"

    return mistune.create_markdown(escape=True, renderer=InertRenderer(escape=True), plugins=["table", "strikethrough"])


def render_markdown(text: str) -> str:
    """A model's response as it reads in a chat window (lists, headings, bold, tables, code), inert:
    raw HTML shows as text, links are not clickable, images are not fetched, redactions visible."""
    return f'<div class="sr-markdown">{_mark_redactions(str(_markdown()(text)))}</div>'
