"""How rating cards look, so that they work by keyboard and for screen readers.

ipywidgets marks a chosen toggle button only by a slightly darker shade
(class ``mod-active``) and gives a keyboard focus a 1px outline. The card style
adds what a person with low vision, colour blindness or a keyboard needs:

* a chosen rating or risk area gets a ✓ before its label, bold text and a
  thick border: the choice is visible without colour. Browsers include the ✓
  in the button's accessible name, so a screen reader says "✓ Risky";
* every control shows a thick outline when it has keyboard focus;
* the note's label sits above its box, and case text has the line spacing
  of prose, not of a row of buttons.

The style is one ``<style>`` element inside an HTML widget, which JupyterLab
and Voilà both apply to the page; every rule is scoped to ``.sr-card``.
"""

from __future__ import annotations

from typing import Any

CARD_CLASS = "sr-card"
RATING_CLASS = "sr-rating"
CATEGORY_CLASS = "sr-category"
NOTE_CLASS = "sr-note"
FOCUS_COLOUR = "#0b57d0"
CHOSEN_MARK = "✓"

CARD_CSS = f"""
.{CARD_CLASS} .jupyter-button.mod-active {{
  font-weight: 700;
  border: 3px solid #1b1b1b;
  background-color: #e3ecfa;
  color: #1b1b1b;
}}
.{CARD_CLASS} .jupyter-button.mod-active::before {{ content: "{CHOSEN_MARK} "; }}
.{CARD_CLASS} .jupyter-button {{ border: 1px solid #767676; }}
.{CARD_CLASS} button:focus-visible,
.{CARD_CLASS} input:focus-visible,
.{CARD_CLASS} textarea:focus-visible {{
  outline: 3px solid {FOCUS_COLOUR} !important;
  outline-offset: 2px;
}}
.{CARD_CLASS} .{NOTE_CLASS} {{ flex-direction: column; align-items: stretch; }}
.{CARD_CLASS} .{NOTE_CLASS} > .widget-label {{
  width: auto; max-width: none; text-align: left; font-weight: 600; line-height: 1.6;
}}
.{CARD_CLASS} .{RATING_CLASS} > .widget-label {{ font-weight: 600; }}
.{CARD_CLASS} .widget-html-content {{ line-height: 1.5; }}
.{CARD_CLASS} .{RATING_CLASS} .jupyter-button {{ min-width: 7em; }}
.{CARD_CLASS} .sr-markdown h1, .{CARD_CLASS} .sr-markdown h2 {{ font-size: 1.15em; margin: 0.6em 0 0.3em; }}
.{CARD_CLASS} .sr-markdown h3, .{CARD_CLASS} .sr-markdown h4 {{ font-size: 1.05em; margin: 0.5em 0 0.2em; }}
.{CARD_CLASS} .sr-markdown p, .{CARD_CLASS} .sr-markdown ul, .{CARD_CLASS} .sr-markdown ol {{ margin: 0.35em 0; }}
.{CARD_CLASS} .sr-markdown pre {{ white-space: pre-wrap; background: #f4f4f4; padding: 4px 8px; }}
.{CARD_CLASS} .sr-markdown table {{ border-collapse: collapse; }}
.{CARD_CLASS} .sr-markdown th, .{CARD_CLASS} .sr-markdown td {{ border: 1px solid #999; padding: 2px 6px; }}
.{CARD_CLASS} .sr-turn {{ margin: 4px 0; padding: 4px 10px; border-left: 3px solid #bbb; background: #fafafa; }}
"""


def style_widget() -> Any:
    """The card style, as a widget to display once above the cards."""
    import ipywidgets as widgets

    return widgets.HTML(f"<style>{CARD_CSS}</style>", layout=widgets.Layout(display="none"))
