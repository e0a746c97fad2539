from django import forms
from django.conf import settings

from .cleaning import EXTRA_PREFIX, column_key
from .imports import mapping_targets
from .tabular import TableError, table_check

IGNORE = ""
KEEP_AS_EXTRA = "keep-as-extra"


ACCEPTED_FILES = ".csv,.xlsx"


def import_file_clean(upload):
    """An uploaded import file (customers or feedback) within IMPORT_MAX_BYTES, a .csv or .xlsx by name and content."""
    if upload.size > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise forms.ValidationError(f"The file is larger than {limit} MB: split it into smaller files.")
    try:
        table_check(upload, upload.name)
    except TableError as error:
        raise forms.ValidationError(str(error)) from None
    return upload


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="A companies export from HubSpot, an accounts export from Salesforce, or our own columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )

    def clean_file(self):
        return import_file_clean(self.cleaned_data["file"])


class ImportMappingForm(forms.Form):
    """One choice per column of the file: a customer field, an extra attribute, or ignore."""

    def __init__(self, *args, headers: list[str], mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = [header for header in headers if header]
        fields = mapping_targets()
        for index, header in enumerate(self.headers):
            extra_target = EXTRA_PREFIX + column_key(header).replace(" ", "_")
            choices = [
                (IGNORE, "— ignore this column —"),
                (KEEP_AS_EXTRA, f"keep as extra attribute “{extra_target.removeprefix(EXTRA_PREFIX)}”"),
                *fields,
            ]
            current = mapping.get(header, "")
            if current.startswith(EXTRA_PREFIX):
                if current != extra_target:
                    choices.insert(2, (current, f"extra attribute “{current.removeprefix(EXTRA_PREFIX)}”"))
                else:
                    current = KEEP_AS_EXTRA
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=current
            )
            self.fields[f"column_{index}"].extra_target = extra_target

    def mapping(self) -> dict[str, str]:
        mapping = {}
        for index, header in enumerate(self.headers):
            target = self.cleaned_data.get(f"column_{index}") or ""
            if target == KEEP_AS_EXTRA:
                target = self.fields[f"column_{index}"].extra_target
            mapping[header] = target
        return mapping

    def rows(self, samples: dict[str, list[str]], unknown: set[str]) -> list[dict]:
        """Each column with its field, a few sample values and whether its name was new to us."""
        return [
            {
                "field": self[f"column_{index}"],
                "header": header,
                "samples": samples.get(header, []),
                "unknown": header in unknown,
            }
            for index, header in enumerate(self.headers)
        ]
