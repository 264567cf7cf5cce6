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
DIALOG_CLASS = "sr-dialog"
TASK_CLASS = "sr-task"
CHECK_CLASS = "sr-check"
OVER_REFUSAL_CLASS = "sr-overrefusal"
FOCUS_COLOUR = "#0b57d0"
CHOSEN_MARK = "✓"

#: XSTest's labelling cards: their chosen label is marked as a rating is
LABELS_CLASS = "sr-labels"

CARD_CSS = f"""
.{CARD_CLASS} .jupyter-button.mod-active, .{LABELS_CLASS} .jupyter-button.mod-active {{
  font-weight: 700;
  border: 3px solid #1b1b1b;
  background-color: #e3ecfa;
  color: #1b1b1b;
}}
.{CARD_CLASS} .jupyter-button.mod-active::before, .{LABELS_CLASS} .jupyter-button.mod-active::before {{ content: "{CHOSEN_MARK} "; }}
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
.{CARD_CLASS} .{CATEGORY_CLASS} {{ white-space: normal; height: auto; min-height: 28px; line-height: 1.3; padding: 3px 6px; }}
.{CARD_CLASS} .{CATEGORY_CLASS} .widget-label-basic, .{CARD_CLASS} .{CATEGORY_CLASS} {{ overflow: visible; text-overflow: clip; }}
.{CARD_CLASS} .{OVER_REFUSAL_CLASS} label {{ white-space: normal; }}
.{TASK_CLASS} kbd {{ border: 1px solid #767676; border-radius: 3px; padding: 0 4px; background: #f4f4f4; font-family: inherit; }}
.{TASK_CLASS} > .widget-hbox {{ gap: 6px; flex-wrap: wrap; }}
.{DIALOG_CLASS} {{
  position: fixed; top: 25%; left: 50%; transform: translateX(-50%); z-index: 1000;
  width: min(32em, 92vw); padding: 16px 20px; gap: 10px;
  background: #fff; color: #1b1b1b; border: 3px solid #1b1b1b; border-radius: 4px;
  box-shadow: 0 0 0 100vmax rgba(0, 0, 0, 0.35);
}}
.{DIALOG_CLASS} .widget-hbox {{ justify-content: flex-end; gap: 12px; }}
.{DIALOG_CLASS} button:focus-visible {{ outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px; }}
"""


def style_widget() -> Any:
    """The card style, as a widget to display once above the cards."""
    import ipywidgets as widgets

    return widgets.HTML(f"<style>{CARD_CSS}</style>", layout=widgets.Layout(display="none"))


_SHARED: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}


def shared(kind: str, **traits: str) -> Any:
    """One ``Layout`` or button style per set of traits, shared by every control that uses it.

    Each ipywidgets control otherwise gets its own layout and style models:
    three models per risk-area button, some 500 per deck, and building them is
    most of the time a lesson page takes to show its cards. Nothing changes a
    shared layout or style after it is made.
    """
    import ipywidgets as widgets
    from ipywidgets.widgets.widget_bool import ToggleButtonStyle
    from ipywidgets.widgets.widget_string import HTMLStyle

    key = (kind, tuple(sorted(traits.items())))
    if key not in _SHARED:
        factory = {
            "layout": widgets.Layout,
            "button": widgets.ButtonStyle,
            "toggle": ToggleButtonStyle,
            "html": HTMLStyle,
        }[kind]
        _SHARED[key] = factory(**traits)
    return _SHARED[key]
