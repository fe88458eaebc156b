"""The validator: one pure check per rule id of SPEC.md, a declaration of them, a runner.

`validate(result)` returns every finding; `check(result)` also returns the problems of
rules that crashed; `apply_validation(result)` returns the result with both filled in.
"""

from extractor.rules.runner import Validation, apply_validation, check, validate

__all__ = ["Validation", "apply_validation", "check", "validate"]
