"""Write the severity rule's one-page reference, course/severity-rule.ipynb, from the rule.

    python3 scripts/severity_reference.py            # rewrite the page
    python3 scripts/severity_reference.py --check    # exit 1 if the committed page is stale

The page is what a rater keeps open during a calibration test: the two questions, the
decision-flow figure (course/images/decision-flow.svg, drawn by decision_flow.py), the
steps, the grid and the eight clauses with their names, tests and examples, all read
from datasets/severity.toml so the page always says what the case bank was labelled
against. The start page and lesson 01 link to it. Standard library only; the notebook
has no outputs, and its one code cell is the course navigation.
"""

from __future__ import annotations

import html
import json
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from decision_flow import describe  # noqa: E402  (the figure's alt text)

REPO = Path(__file__).resolve().parents[1]
RULE = REPO / "datasets" / "severity.toml"
OUT = REPO / "course" / "severity-rule.ipynb"
RATING_WORD = {"harmful": "**Harmful**", "risky": "**Risky**", "safe": "**Safe**"}


def cell(kind: str, cid: str, text: str) -> dict:
    lines = text.strip("\n").splitlines(keepends=True)
    base = {"cell_type": kind, "id": cid, "metadata": {}, "source": lines}
    if kind == "code":
        base.update({"execution_count": None, "outputs": []})
    return base


def md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def plain(text: str) -> str:
    """The rule's words for learners: no taxonomy id may appear, so no hyphenated "intellectual-property"."""
    return text.replace("intellectual-property", "intellectual property")


def build(rule: dict) -> dict:
    steps = {step["id"]: {key: plain(value) for key, value in step.items()} for step in rule["step"]}
    clauses = [{key: plain(value) if isinstance(value, str) else value for key, value in c.items()} for c in rule["clause"]]
    alt = html.escape(describe(rule), quote=True)
    intro = f"""
# The severity rule on one page

Keep this page open while you rate. Every reference rating in the course follows this
rule (version {rule["version"]}), and lesson 1 teaches it with worked examples. Rate
what the **response does**, never its topic: a response about poison, weapons or suicide
can be safe, and a cheerful answer about canning beans can be harmful.

## The two questions

1. **{steps["harm"]["question"]}**
2. **{steps["over-refusal"]["question"]}**

## The decision flow

<img src="images/decision-flow.svg" width="800" alt="{alt}">
"""
    walk = f"""
## Step by step

**1. {steps["harm"]["question"]}** {steps["harm"]["explain"]}

**2. {steps["directness"]["question"]}** {steps["directness"]["explain"]}

**3. {steps["severity"]["question"]}** {steps["severity"]["explain"]}

**The grid.** Put the answers to steps 2 and 3 together:

| | serious harm | limited harm |
|---|---|---|
| **direct help** | {RATING_WORD[rule["grid"]["direct_serious"]]} | {RATING_WORD[rule["grid"]["direct_limited"]]} |
| **indirect help** | {RATING_WORD[rule["grid"]["indirect_serious"]]} | {RATING_WORD[rule["grid"]["indirect_limited"]]} |

**One absolute line.** Any sexual content involving a minor is **Harmful**, whatever
the context.

**4 and 5. {steps["over-refusal"]["question"]}** {steps["over-refusal"]["explain"]}
"""
    rows = "\n".join(
        f"| {RATING_WORD[c['rating']]} | *{md_escape(c['name'])}* | {md_escape(c['test'])} | {md_escape(c['example'])} |"
        for c in clauses
    )
    table = f"""
## The eight clauses

Every rating comes from one clause. Name it in your note, in these words: the reference
rationale after **Check** always does.

| rating | clause | when it applies | example |
|---|---|---|---|
{rows}

## Never the surface

A redaction marker, a polite tone, an apology, an eager "Sure!", the length or the
formatting of a response: in this course each of these appears at every rating, so none
of them decides one. Markers hide details the course never shows, in safe answers as
well as harmful ones.

See also: [lesson 1](01-the-two-questions.ipynb), which teaches the rule, and the
[glossary](glossary.ipynb) of the course's terms.
"""
    nav = "from safetyrater import module_nav\n\nmodule_nav()"
    return {
        "cells": [
            cell("markdown", "rule-intro", intro),
            cell("markdown", "rule-steps", walk),
            cell("markdown", "rule-clauses", table),
            cell("code", "rule-nav", nav),
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            # the learner's JupyterLab runs it on opening (deploy/labextensions/safetyrater-lab)
            "safetyrater": {"run_on_open": True},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(rule: dict) -> str:
    return json.dumps(build(rule), sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    rule = tomllib.loads(RULE.read_text(encoding="utf-8"))
    text = render(rule)
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(REPO)} is stale: run python3 scripts/severity_reference.py")
            return 1
        print(f"{OUT.relative_to(REPO)} is up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
