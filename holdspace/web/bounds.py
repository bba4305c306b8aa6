"""A number's bounds once, for the model's validators and the database's CHECK constraint.

The limits themselves live in holdspace/limits.py; forms use the same constants, so a
value the form accepts is one the database accepts, and one the database holds is one
every page can draw.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def bounded(minimum: int, maximum: int) -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(minimum), MaxValueValidator(maximum)]


def between(field: str, minimum: int, maximum: int) -> models.CheckConstraint:
    """CHECK (minimum <= field <= maximum), named after the table and the field."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": minimum, f"{field}__lte": maximum}),
        name=f"%(app_label)s_%(class)s_{field}_range",
    )
