from django import forms
from django.conf import settings

from .cleaning import column_key
from .kinds import ImportKind
from .tabular import TableError, table_check

ACCEPTED_FILES = ".csv,.xlsx"
IGNORE = ""
KEEP_AS_EXTRA = "keep-as-extra"


def import_file_clean(upload):
    """An uploaded import file within IMPORT_MAX_BYTES, a .csv or .xlsx by name and content."""
    if upload.size > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise forms.ValidationError(f"The file is larger than {limit} MB: split it into smaller files.")
    try:
        table_check(upload, upload.name)
    except TableError as error:
        raise forms.ValidationError(str(error)) from None
    return upload


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="CSV or Excel file", widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}))

    def __init__(self, *args, kind: ImportKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = kind.upload_field_help

    def clean_file(self):
        return import_file_clean(self.cleaned_data["file"])


class ImportMappingForm(forms.Form):
    """One choice per column of the file: what it fills, an extra attribute (if the kind keeps them), or ignore."""

    def __init__(self, *args, kind: ImportKind, headers: list[str], mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = [header for header in headers if header]
        targets = kind.mapping_targets()
        prefix = kind.extra_prefix
        for index, header in enumerate(self.headers):
            choices = [(IGNORE, "— ignore this column —")]
            current = mapping.get(header, "")
            extra_target = ""
            if prefix:
                extra_target = prefix + column_key(header).replace(" ", "_")
                choices.append((KEEP_AS_EXTRA, f"keep as extra attribute “{extra_target.removeprefix(prefix)}”"))
                if current.startswith(prefix):
                    if current != extra_target:
                        choices.append((current, f"extra attribute “{current.removeprefix(prefix)}”"))
                    else:
                        current = KEEP_AS_EXTRA
            field = forms.ChoiceField(label=header, choices=[*choices, *targets], required=False, initial=current)
            field.extra_target = extra_target
            self.fields[f"column_{index}"] = field

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
