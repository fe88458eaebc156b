"""Facts read from prose and printed figures, typed, before any rule looks at them.

- `tolerance`: a figure as printed (`Printed`: value, decimals, percent, exactness) and the SPEC's
  tolerances for comparing, summing and dividing printed figures;
- `numbers`: amounts, rates and counts mentioned in a text (`Mention`), split into `Sentence`s;
- `prose`: what sentences state about those figures (`StatedList` 其中 lists, `Comparison` 较上年 changes);
- `labels`: the label a figure is printed under, normalised to a key two places can share.

Rules (extractor/rules/) are short checks over these facts, the records and the table model.
"""


def clear_caches() -> None:
    """Forget the readings the facts package remembers (pure functions of a text): benchmarks call it so
    that a timed validation reads its document for the first time."""
    from extractor.facts import labels, tolerance

    labels.clear_caches()
    tolerance.clear_caches()
