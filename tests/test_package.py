"""Does a lesson's first cell answer fast: is `import safetyrater` light?"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pandas", "ipywidgets", "pydantic", "nbformat", "numpy", "sklearn")


def test_import_loads_no_heavy_library():
    code = "import sys, json, safetyrater; print(json.dumps([m for m in %r if m in sys.modules]))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_command_line_help_loads_no_heavy_library():
    code = (
        "import sys, json, contextlib, io\n"
        "from safetyrater.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(json.dumps([m for m in %r if m in sys.modules]))" % (HEAVY,)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_checking_a_note_loads_no_scikit_learn():
    """The feedback coach applies its shipped weights in plain Python; scikit-learn is only for retraining."""
    code = (
        "import sys, json\n"
        "from safetyrater.feedback.check import check_note\n"
        "check_note('Gives a method to a suicidal user; refuse and give 988.')\n"
        "print(json.dumps([m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []
