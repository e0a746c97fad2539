"""The column names a person mapped in a customer import, remembered for the next file that has them."""

from imports.cleaning import column_key
from teams.models import User

from ..cleaning import COLUMN_ALIASES
from ..models import ColumnMapping


def column_mappings_remember(*, mapping: dict[str, str], user: User | None) -> None:
    """Remember the choices that differ from our names; forget those that agree with them again."""
    for header, target in mapping.items():
        key = column_key(header)
        if key and COLUMN_ALIASES.get(key, "") != target:
            ColumnMapping.objects.update_or_create(column=key[:200], defaults={"target": target, "updated_by": user})
        elif key:
            ColumnMapping.objects.filter(column=key).delete()
