"""Proposed review scores: scoring profiles (YAML data), the rules they apply, and the stage that fills
`expected_score` / `scoring` / `proposed_review_score` / `deductions` (SPEC: Proposed scores).

Kept free of imports: the validator's registry imports `extractor.scoring.findings`, and the scoring
stage imports the validator's readings, so neither package may import the other at package level.
"""
