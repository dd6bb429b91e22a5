"""Importing the elevator registry from an Excel workbook (issue 2, item 4 and "Bad input").

The workbook has one sheet per kind of record (see SHEETS and docs/registry-import.md). An
import is all or nothing: every row is read and checked first, every problem is collected
with its sheet, row and column, and if there is any the whole import is refused
(ImportRefusedError) before anything is written. Otherwise everything is written in one
transaction, with bulk upserts on the natural keys so that importing the same workbook again
updates rows instead of duplicating them:

    estate:      name within its community        building:  name within its estate
    entrance:    name within its building         apartment: room within its entrance
    owner:       keyed hash of the identity number (PIPL Art. 28: the number itself is never stored)
    elevator:    device code                      fault:     (elevator, occurred at, kind)
    inspection:  (elevator, date)                 safety assessment: (elevator, date)

Speed matters (the benchmark imports 100,000 elevators and 1,000,000 apartments), so natural
keys are mapped to ids with a few bulk reads into dictionaries and the writes are batched;
there is no query per row.

The package, by concern: `cells` (parsers of one cell; pure, no Django), `spec` (the sheets and
columns), `template` (the template workbook), `read` (reading and parsing a workbook, problems
collected), `check` (natural keys resolved, references and scope checked), `access` (who may
import where: the only module here that asks places.access), `write` (the bulk upserts) and `run`
(the synchronous and queued imports, progress, the audit entry).
"""

from gongzhi.elevators.registry.access import access_registry_imports, may_import
from gongzhi.elevators.registry.cells import parse_date
from gongzhi.elevators.registry.read import read_workbook
from gongzhi.elevators.registry.run import (
    ImportResult,
    imports_dir,
    registry_import_file,
    registry_import_progress,
    registry_import_run,
    registry_import_start,
    registry_imports_reap,
)
from gongzhi.elevators.registry.spec import SHEETS, SPEC, parse_datetime
from gongzhi.elevators.registry.template import registry_template_bytes
from gongzhi.elevators.registry.write import owner_id_hash

__all__ = [
    "SHEETS",
    "SPEC",
    "ImportResult",
    "access_registry_imports",
    "imports_dir",
    "may_import",
    "owner_id_hash",
    "parse_date",
    "parse_datetime",
    "read_workbook",
    "registry_import_file",
    "registry_import_progress",
    "registry_import_run",
    "registry_import_start",
    "registry_imports_reap",
    "registry_template_bytes",
]
