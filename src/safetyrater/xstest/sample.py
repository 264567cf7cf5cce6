"""A labelling sample: real responses for learners to label, the same for the same seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import load_responses

#: the share of a labelling sample drawn from unsafe prompts (all of them refusals in this copy)
UNSAFE_SHARE = 4  # one item in four


def draw_sample(n: int = 12, seed: int = 0, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """``n`` responses for learners to label, the same for the same seed.

    Three in four come from safe prompts, the rest from unsafe prompts (all
    refusals in this copy). Models and prompt types take turns, so each model
    set-up and as many prompt types as possible appear; on safe prompts the
    human final labels take turns too, so a sample shows compliance, partial
    and full refusals rather than mostly compliance. Where no response fits a
    turn, another unused prompt type is taken, then another label, then another model.
    """
    if frame is None:
        frame = load_responses()
    n_unsafe = n // UNSAFE_SHARE
    available = frame["prompt_label"].value_counts()
    if n < 1:
        raise ValueError(f"a sample needs at least 1 response, not {n}")
    if n - n_unsafe > available.get("safe", 0) or n_unsafe > available.get("unsafe", 0):
        raise ValueError(
            f"a sample of {n} needs {n - n_unsafe} responses to safe prompts and {n_unsafe} to unsafe ones; "
            f"there are {available.get('safe', 0)} and {available.get('unsafe', 0)}"
        )
    rng = np.random.default_rng(seed)
    models = list(rng.permutation(sorted(frame["model"].unique())))
    chosen: list[int] = []
    for prompts, count in (("safe", n - n_unsafe), ("unsafe", n_unsafe)):
        pool = frame[frame["prompt_label"] == prompts]
        types = list(rng.permutation(sorted(pool["type"].unique())))
        labels = list(rng.permutation(sorted(pool["final_label"].unique())))
        for turn in range(count):
            candidates = pool.drop(index=chosen, errors="ignore")
            model = models[len(chosen) % len(models)]
            label = labels[turn % len(labels)]
            unused_types = set(types) - set(frame.loc[chosen, "type"]) or set(types)
            wanted_type = {types[turn % len(types)]} & unused_types
            # the wished-for turn first; then let go, in order, of the type (keeping it
            # unused), the label, the model, and last of the type being unused
            for type_, model_, label_ in (
                (wanted_type, {model}, {label}),
                (unused_types, {model}, {label}),
                (unused_types, {model}, set(labels)),
                (unused_types, set(models), {label}),
                (unused_types, set(models), set(labels)),
                (set(types), set(models), set(labels)),
            ):
                keep = candidates[
                    candidates["type"].isin(type_) & candidates["model"].isin(model_) & candidates["final_label"].isin(label_)
                ]
                if not keep.empty:
                    chosen.append(int(rng.choice(keep.index.to_numpy())))
                    break
    order = rng.permutation(len(chosen))
    return frame.loc[[chosen[i] for i in order]].reset_index(drop=True)
