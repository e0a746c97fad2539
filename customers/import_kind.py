"""The customers import (imports.kinds): a CRM export whose columns a person maps to customer fields, each row
cleaned to customer values (customers.cleaning) and upserted by its external id (customers_upsert). A file
without external ids has each row matched to a customer first (customers.matching)."""

from django.core.exceptions import ValidationError

from imports.cleaning import RowError, column_key
from imports.kinds import Batch, Chunk, Counts, FileStyle, ImportKind, Writer
from imports.models import ImportJob
from teams.models import Role, User

from .cleaning import COLUMN_ALIASES, DATE_FIELDS, EXTRA_PREFIX, RowCleaner, is_number_field, target_label
from .matching import RULES, RowMatcher
from .models import ChangeSource, ColumnMapping, Customer
from .services.changes import WRITABLE_FIELDS
from .services.column_mappings import column_mappings_remember
from .services.upserts import customers_upsert


def mapping_suggest(headers: list[str]) -> dict[str, str]:
    """For each column: what a person chose for it before, else what its name means, else nothing."""
    remembered = dict(
        ColumnMapping.objects.filter(column__in=[column_key(h) for h in headers]).values_list("column", "target")
    )
    suggestion = {}
    for header in headers:
        key = column_key(header)
        suggestion[header] = remembered[key] if key in remembered else COLUMN_ALIASES.get(key, "")
    return suggestion


def mapping_unknown(headers: list[str]) -> set[str]:
    """Columns that neither our names nor a remembered choice explain."""
    remembered = set(
        ColumnMapping.objects.filter(column__in=[column_key(h) for h in headers]).values_list("column", flat=True)
    )
    return {h for h in headers if h and column_key(h) not in COLUMN_ALIASES and column_key(h) not in remembered}


def mapping_targets() -> list[tuple[str, str]]:
    """The fields a column may fill, as (target, label)."""
    return [(attname, target_label(attname)) for attname in WRITABLE_FIELDS if attname != "extra"]


def mapping_check(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Return ``mapping`` cleaned, or raise ValidationError saying what is wrong with it."""
    fields = {target for target, _ in mapping_targets()}
    cleaned, problems = {}, []
    for header in headers:
        target = (mapping.get(header) or "").strip()
        if target.startswith(EXTRA_PREFIX):
            key = column_key(target.removeprefix(EXTRA_PREFIX)).replace(" ", "_")
            if not key or len(key) > 60:
                problems.append(f"“{header}”: an extra attribute needs a short name.")
            target = EXTRA_PREFIX + key
        elif target and target not in fields:
            problems.append(f"“{header}”: “{target}” is not a customer field.")
        cleaned[header] = target
    used = [target for target in cleaned.values() if target]
    twice = sorted({target for target in used if used.count(target) > 1})
    if twice:
        problems.append(f"Each field can come from one column only: {', '.join(twice)}.")
    if "external_id" not in used and "name" not in used and "domain" not in used:
        problems.append(
            "Choose the column of the external id (the CRM's record id) or, for a file without one, the company "
            "name or domain column: customers are matched by domain, else by name and country."
        )
    if problems:
        raise ValidationError(problems)
    return cleaned


def _owners() -> dict[str, User]:
    """Sales reps by lower-cased email, username and full name."""
    owners = {}
    for rep in User.objects.filter(role=Role.SALES_REP, is_active=True):
        for key in (rep.email, rep.username, rep.get_full_name()):
            if key:
                owners[" ".join(key.split()).lower()] = rep
    return owners


class CustomerRows:
    """1. clean each row; 2. without a CRM id column, tell which customer each row is (customers.matching);
    3. reject a customer seen before in the file; 4. reject new customers without a name."""

    def __init__(self, job: ImportJob, headers: list[str], style: FileStyle):
        mapping = {headers.index(h): target for h, target in job.mapping.items() if target and h in headers}
        self.cleaner = RowCleaner(mapping, _owners(), style.date_orders, style.number_style)
        self.width = len(headers)
        self.first_line: dict[str, int] = {}
        self.matcher = None if "external_id" in mapping.values() else RowMatcher()

    def __call__(self, chunk: Chunk) -> Batch:
        batch = Batch()
        cleaned = []
        for line, cells in chunk:
            try:
                if any(cell.strip() for cell in cells[self.width :]):
                    raise RowError(f"{len(cells)} cells, but the header has {self.width} columns")
                cleaned.append((line, self.cleaner.clean(cells)))
            except RowError as error:
                batch.rejections.append([line, str(error)])
        rules = {}
        if self.matcher is not None:
            matched = []
            for (line, values), match in zip(cleaned, self.matcher.match([v for _, v in cleaned]), strict=True):
                if isinstance(match, RowError):
                    batch.rejections.append([line, str(match)])
                    continue
                values["external_id"] = match.external_id
                rules[match.external_id] = match.rule
                matched.append((line, values))
            cleaned = matched
        lines = {}
        for line, values in cleaned:
            seen = self.first_line.setdefault(values["external_id"], line)
            if seen != line:
                reason = (
                    f"external id “{values['external_id']}” already appears on line {seen}"
                    if self.matcher is None
                    else f"the same customer as line {seen} ({rules[values['external_id']]})"
                )
                batch.rejections.append([line, reason])
                continue
            batch.rows.append(values)
            lines[values["external_id"]] = line
        nameless = [row["external_id"] for row in batch.rows if "name" not in row]
        if nameless:
            known = set(Customer.objects.filter(external_id__in=nameless).values_list("external_id", flat=True))
            new = set(nameless) - known
            batch.rejections += [[lines[i], "a new customer needs a company name"] for i in nameless if i in new]
            batch.rows = [row for row in batch.rows if row["external_id"] not in new]
        if self.matcher is not None:
            used = [rules[row["external_id"]] for row in batch.rows]
            batch.matched = {rule: used.count(rule) for rule in RULES if rule in used}
        return batch


class CustomerWriter(Writer):
    def __init__(self, job: ImportJob, dry_run: bool):
        self.job = job
        self.dry_run = dry_run
        self.spellings: dict = {}  # what the check's batches found of the category spellings (customers_upsert)

    def write(self, rows: list[dict]) -> Counts:
        if self.dry_run:
            result = customers_upsert(
                rows=rows, user=None, source=ChangeSource.IMPORT, dry_run=True, spellings=self.spellings
            )
        else:
            result = customers_upsert(
                rows=rows, user=self.job.created_by, source=ChangeSource.IMPORT, source_ref=f"import {self.job.pk}"
            )
        return Counts(result.created, result.updated, result.unchanged)


class CustomerImport(ImportKind):
    name = "customers"
    label = "customers"
    title = "Import customers"
    upload_help = (
        "Upload a CSV or Excel export. You check its columns and see what would change before anything is "
        "imported. Customers are matched by their CRM record id; a file without one (a spreadsheet made by hand) "
        "by domain, else by name and country. Importing the same file twice changes nothing."
    )
    upload_field_help = "A companies export from HubSpot, an accounts export from Salesforce, or our own columns."
    back_url = "customers:list"
    back_label = "Customers"
    done_url = "customers:list"
    done_label = "See the customers"
    date_targets = frozenset(DATE_FIELDS)
    mapping_step = True
    mapping_help = (
        "Columns named as HubSpot, Salesforce or ICP Workshop name them are matched already. Choose a field for "
        "the others, keep them as extra attributes (rubric criteria can use those), or ignore them. Your choices "
        "are remembered for the next file with the same columns."
    )
    extra_prefix = EXTRA_PREFIX

    def columns(self, headers):
        return mapping_suggest(headers)

    def is_number(self, target):
        return is_number_field(target)

    def parser(self, *, job, headers, style):
        return CustomerRows(job, headers, style)

    def writer(self, *, job, dry_run):
        return CustomerWriter(job, dry_run)

    def mapping_targets(self):
        return mapping_targets()

    def mapping_unknown(self, headers):
        return mapping_unknown(headers)

    def mapping_check(self, mapping, headers):
        return mapping_check(mapping, headers)

    def mapping_remember(self, mapping, user):
        column_mappings_remember(mapping=mapping, user=user)
