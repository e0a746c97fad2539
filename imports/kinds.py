"""What makes one kind of import (customers, feedback answers...): its columns, its row parser and its writer.

The lifecycle (imports.services), the pages (imports.views) and the tasks are shared; an app adds a kind by
subclassing ``ImportKind`` and registering an instance when it starts (its ``AppConfig.ready``):

- ``columns(headers)``: what each column of the file fills (header -> target, "" when ignored), or a
  ValidationError saying which columns the file lacks;
- ``parser(job=..., headers=..., style=...)``: a callable that turns one batch of ``(line, cells)`` into a
  ``Batch`` (the rows that can be written and ``[line, reason]`` for the others, and, if the kind says so, how
  many rows each rule matched, shown on the check page); it may keep state across the batches of one file (to
  find a row given twice, say);
- ``writer(job=..., dry_run=...)``: a ``Writer`` whose ``write(rows)`` returns the ``Counts`` of what it
  creates, updates or leaves unchanged (with ``dry_run``, what it would), and whose ``finish()`` runs once all
  rows are written, in the same transaction.

A kind whose columns a person checks and maps in a page (customers) sets ``mapping_step`` and supplies the
``mapping_*`` methods; the others are checked on upload (``check_at_upload``) or in the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from teams.models import User

    from .models import ImportJob

Chunk = list[tuple[int, list[str]]]  # (line in the file, cells) for each row of a batch


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged)

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class Batch:
    """One batch of a file: the rows that can be written and the reasons for the rest."""

    rows: list = field(default_factory=list)
    rejections: list[list] = field(default_factory=list)  # [line, reason], as JSON keeps them
    matched: dict[str, int] = field(default_factory=dict)  # how rows were matched ("by domain"): how many


@dataclass
class FileStyle:
    """What a first read of the whole file tells about it: its number of rows, whether each date column puts
    the day or the month first, and whether numbers are written "1.200,50" ("eu") or "1,200.50" ("us")."""

    rows: int
    date_orders: dict[str, str]
    number_style: str


class Writer:
    def write(self, rows: list) -> Counts:
        raise NotImplementedError

    def finish(self) -> None:
        """Runs once after the last batch, inside the import's transaction (not in a dry run)."""


class ImportKind:
    name: str = ""  # in URLs and on the job's row
    label: str = ""  # what the rows are, plural: "customers", "answers"
    title: str = ""  # "Import customers"
    upload_help: str = ""
    upload_field_help: str = ""
    nav_template: str = ""  # shown above the upload page (an app's tabs)
    back_url: str = ""  # the page the imports belong to (a URL name) and its name
    back_label: str = ""
    done_url: str = ""  # where to see what was imported
    done_label: str = ""
    date_targets: frozenset[str] = frozenset()  # targets read as dates (their order found per file)
    check_at_upload: bool = False  # the check runs in the upload's request, not in the worker
    mapping_step: bool = False  # a person checks and maps the columns before the check
    mapping_help: str = ""  # with mapping_step: what the mapping page says first
    extra_prefix: str = ""  # with mapping_step: a column may be kept as an extra attribute "<prefix><key>"

    def columns(self, headers: list[str]) -> dict[str, str]:
        raise NotImplementedError

    def is_number(self, target: str) -> bool:
        """Whether the cells of ``target`` are numbers (their style, "us" or "eu", is found per file)."""
        return False

    def parser(self, *, job: ImportJob, headers: list[str], style: FileStyle) -> Callable[[Chunk], Batch]:
        raise NotImplementedError

    def writer(self, *, job: ImportJob, dry_run: bool) -> Writer:
        raise NotImplementedError

    # With ``mapping_step``: the column mapping page.
    def mapping_targets(self) -> list[tuple[str, str]]:
        """What a column may fill, as (target, label)."""
        return []

    def mapping_unknown(self, headers: list[str]) -> set[str]:
        """Columns whose name the kind does not recognise (flagged on the mapping page)."""
        return set()

    def mapping_check(self, mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
        """``mapping`` cleaned, or a ValidationError saying what is wrong with it."""
        return mapping

    def mapping_remember(self, mapping: dict[str, str], user: User | None) -> None:
        """Remember a person's choices for the next file with the same columns."""


_kinds: dict[str, ImportKind] = {}


def import_kind_register(kind: ImportKind) -> ImportKind:
    _kinds[kind.name] = kind
    return kind


def import_kind_unregister(name: str) -> None:
    _kinds.pop(name, None)


def import_kind(name: str) -> ImportKind:
    """The kind called ``name``; KeyError if no app registered it."""
    return _kinds[name]


def import_kinds() -> Iterable[ImportKind]:
    return list(_kinds.values())
