"""A posted ledger entry is never edited (Entry.save refuses it; this trigger refuses it in the
database too): its ledger, kind, category, amount, date, description, reversed entry and income may
not change. Workflow columns (status, approval, payment, reversed flag) stay writable."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FROZEN = ("ledger_id", "kind", "category", "amount", "date", "description", "reverses_id", "against_id")
MESSAGE = "ledger entry is never edited; post a reversal"

SQLITE_UP = (
    f"CREATE TRIGGER ledgers_entry_never_edited BEFORE UPDATE OF {', '.join(FROZEN)} ON ledgers_entry "
    "FOR EACH ROW WHEN "
    + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in FROZEN)
    + f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
)
POSTGRES_UP = (
    "CREATE OR REPLACE FUNCTION ledgers_entry_never_edited() RETURNS trigger AS $$ BEGIN "
    f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END; $$ LANGUAGE plpgsql;\n"
    "CREATE TRIGGER ledgers_entry_never_edited BEFORE UPDATE ON ledgers_entry FOR EACH ROW WHEN ("
    + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in FROZEN)
    + ") EXECUTE FUNCTION ledgers_entry_never_edited();"
)
DOWN = {
    "sqlite": "DROP TRIGGER IF EXISTS ledgers_entry_never_edited;",
    "postgresql": (
        "DROP TRIGGER IF EXISTS ledgers_entry_never_edited ON ledgers_entry;\n"
        "DROP FUNCTION IF EXISTS ledgers_entry_never_edited();"
    ),
}


def _run(schema_editor: Any, sql: str) -> None:
    # One statement per call: PostgreSQL's extended protocol takes no more.
    for statement in sql.split(";\n"):
        if statement.strip():
            schema_editor.execute(statement, params=None)


def up(apps: Any, schema_editor: Any) -> None:
    sql = {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(schema_editor.connection.vendor)
    if sql:
        _run(schema_editor, sql)


def down(apps: Any, schema_editor: Any) -> None:
    sql = DOWN.get(schema_editor.connection.vendor)
    if sql:
        _run(schema_editor, sql)


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
