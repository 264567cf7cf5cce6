"""Does the notebook's first line stay fast: is `import safetyrater.assessment` light?"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pandas", "ipywidgets", "pydantic", "numpy", "scipy", "sklearn")


def test_importing_the_assessment_package_loads_no_heavy_library():
    code = "import sys, json, safetyrater.assessment; print(json.dumps([m for m in %r if m in sys.modules]))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []
