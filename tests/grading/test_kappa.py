"""Kappa without scikit-learn: the kit's numpy formula against scikit-learn's own, and a page that never imports it."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from safetyrater.grading.calibration import kappa_from_counts, nominal_kappa

LABELS = ["full_compliance", "full_refusal", "partial_refusal", "not a class"]


@pytest.mark.parametrize("seed", range(20))
def test_is_nominal_kappa_scikit_learns_unweighted_kappa(seed: int) -> None:
    """Does the unweighted kappa match scikit-learn's on random raters, lopsided ones and labels never used?"""
    rng = random.Random(seed)
    items = rng.randint(2, 60)
    used = LABELS[: rng.randint(1, 4)]
    first = [rng.choice(used) for _ in range(items)]
    second = [x if rng.random() < 0.6 else rng.choice(used) for x in first]
    expected = cohen_kappa_score(first, second, labels=LABELS) if len(set(first + second)) > 1 else float("nan")
    found = nominal_kappa(first, second, LABELS)
    assert (np.isnan(expected) and np.isnan(found)) or found == pytest.approx(expected)


def test_is_an_item_outside_the_labels_left_out_as_scikit_learn_does() -> None:
    """Does a label outside the list leave its item out instead of failing?"""
    first, second = ["a", "b", "a", "x"], ["a", "b", "b", "a"]
    assert nominal_kappa(first, second, ["a", "b"]) == pytest.approx(cohen_kappa_score(first, second, labels=["a", "b"]))


def test_does_a_wrong_weighting_say_so() -> None:
    """Is an unknown weighting refused by name?"""
    with pytest.raises(ValueError, match="quadratic"):
        kappa_from_counts(np.ones((1, 2, 2)), weights="linear")


def test_does_lesson_3s_agreement_table_load_no_scikit_learn() -> None:
    """Lesson 3's classifier agreement is on a page: does it leave scikit-learn (seconds to import) unloaded?"""
    code = (
        "import sys\n"
        "from safetyrater import classifier_agreement\n"
        "table = classifier_agreement()\n"
        "assert len(table.data) > 0\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('sklearn', 'scipy')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
