"""The task view: one case at a time, a progress line, Previous / Next / Next unrated, keyboard shortcuts.

A deck opens in this view (the full page of cards is one click away, see
:class:`~safetyrater.widgets.deck.DeckView`). Only the case on screen is built,
so a deck of twenty cases costs what one card costs.

Keyboard shortcuts work wherever the focus is not in a text box, and the page
lists them: 1, 2, 3 choose Safe, Risky, Harmful; O ticks over-refusal; C
presses Check; N goes to the next unrated case; the arrow keys go to the
previous and next case. They are a small script (:data:`SHORTCUTS_JS`) that
presses the card's own buttons, so a key does exactly what a click does and
every answer saves the same way.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from .html import escape
from .style import CHECK_CLASS, OVER_REFUSAL_CLASS, RATING_CLASS, TASK_CLASS, shared

NEXT_CLASS, PREVIOUS_CLASS, NEXT_UNRATED_CLASS = "sr-next", "sr-previous", "sr-next-unrated"

#: the shortcuts as the page lists them: (keys, what they do)
SHORTCUTS = (
    ("1 2 3", "Safe, Risky, Harmful"),
    ("O", "over-refusal"),
    ("C", "Check"),
    ("N", "next unrated case"),
    ("← →", "previous, next case"),
)

#: presses the task view's own buttons; ignores keys typed into a text box or with Ctrl, Alt or Meta
SHORTCUTS_JS = f"""
(function () {{
  if (window.__safetyraterShortcuts) return;
  window.__safetyraterShortcuts = true;
  const press = (root, selector) => {{
    const target = root.querySelector(selector);
    if (!target || target.disabled) return false;
    target.click();
    return true;
  }};
  // the capture phase on window: before JupyterLab's own shortcuts (1 would make a cell a heading)
  window.addEventListener('keydown', (event) => {{
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    const active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && active.type !== 'checkbox')) return;
    const tasks = [...document.querySelectorAll('.{TASK_CLASS}')];
    // in the app (Voilà) anywhere on the page; in JupyterLab only while the focus is in a task view
    const inApp = window.location.pathname.indexOf('/voila/') !== -1;
    const root = tasks.find((t) => t.contains(active)) || (inApp && tasks.find((t) => t.offsetParent !== null));
    if (!root) return;
    const key = event.key.toLowerCase();
    const rating = {{'1': 1, '2': 2, '3': 3}}[key];
    let done = false;
    if (rating) done = press(root, `.{RATING_CLASS} button:nth-of-type(${{rating}})`);
    else if (key === 'o') done = press(root, '.{OVER_REFUSAL_CLASS} input[type=checkbox]');
    else if (key === 'c') done = press(root, '.{CHECK_CLASS}');
    else if (key === 'n') done = press(root, '.{NEXT_UNRATED_CLASS}');
    else if (key === 'arrowright') done = press(root, '.{NEXT_CLASS}');
    else if (key === 'arrowleft') done = press(root, '.{PREVIOUS_CLASS}');
    if (done) {{ event.preventDefault(); event.stopPropagation(); }}
  }}, true);
}})();
"""


def script_html(code: str) -> str:
    """HTML that runs ``code`` when shown, in Voilà and JupyterLab alike.

    An HTML widget sets its content as ``innerHTML``, which never runs a
    ``<script>`` element but does run an image's ``onerror``; ``data:,`` is no
    image, so the handler runs at once and nothing is fetched. Only the kit's own
    code goes here, never case text.
    """
    return f'<img src="data:," alt="" hidden onerror="{escape(code)}">'


def shortcuts_html() -> str:
    keys = " · ".join(f"<kbd>{keys}</kbd> {what}" for keys, what in SHORTCUTS)
    return f"<div class='sr-shortcuts' style='font-size:smaller;color:#333'>Keyboard: {keys}</div>" + script_html(SHORTCUTS_JS)


class TaskView(widgets.VBox):
    """One item of a deck at a time, with a progress line and the buttons to move between items.

    ``item(i)`` builds (once) what item ``i`` shows: its card, or the content
    warning in front of it; ``answered(i)`` says whether item ``i`` has its answer.
    """

    def __init__(
        self, total: int, item: Callable[[int], widgets.Widget], answered: Callable[[int], bool], *, what: str = "rated", unit: str = "case"
    ):
        self.total = total
        self.unit = unit
        self._item = item
        self._answered = answered
        self.what = what
        self.index = 0
        self.progress = widgets.HTML(layout=shared("layout"))
        self.slot = widgets.VBox()
        self.previous_button = widgets.Button(description="◀ Previous", tooltip="The previous case (←)")
        self.next_button = widgets.Button(description="Next ▶", tooltip="The next case (→)")
        self.next_unrated_button = widgets.Button(description="Next unrated", tooltip="The next case without an answer (N)")
        self.previous_button.add_class(PREVIOUS_CLASS)
        self.next_button.add_class(NEXT_CLASS)
        self.next_unrated_button.add_class(NEXT_UNRATED_CLASS)
        self.previous_button.on_click(lambda _: self.show(self.index - 1))
        self.next_button.on_click(lambda _: self.show(self.index + 1))
        self.next_unrated_button.on_click(lambda _: self.next_unrated())
        buttons = widgets.HBox([self.previous_button, self.next_button, self.next_unrated_button])
        super().__init__([self.progress, self.slot, buttons, widgets.HTML(shortcuts_html())])
        self.add_class(TASK_CLASS)
        self.show(self.first_unanswered())

    def unanswered(self) -> list[int]:
        return [i for i in range(self.total) if not self._answered(i)]

    def first_unanswered(self) -> int:
        return next(iter(self.unanswered()), 0)

    def show(self, index: int) -> None:
        """Show item ``index`` (from 0); out of range does nothing."""
        if not 0 <= index < self.total:
            return
        self.index = index
        self.slot.children = [self._item(index)]
        self.previous_button.disabled = index == 0
        self.next_button.disabled = index == self.total - 1
        self.refresh()

    def next_unrated(self) -> None:
        """The next item without an answer after this one (wrapping round); none left: stay and say so."""
        later = [i for i in self.unanswered() if i != self.index]
        if later:
            self.show(min(later, key=lambda i: (i - self.index) % self.total))
        else:
            self.refresh()

    def refresh(self) -> None:
        """The progress line: how many are answered, and where the learner is."""
        done = self.total - len(self.unanswered())
        line = f"<b>{done} of {self.total} {self.what}</b> · {self.unit} {self.index + 1} of {self.total}"
        if done == self.total:
            line += f" · every {self.unit} has an answer"
        self.progress.value = f"<div class='sr-task-progress' role='status'>{line}</div>"
        self.next_unrated_button.disabled = not [i for i in self.unanswered() if i != self.index]
