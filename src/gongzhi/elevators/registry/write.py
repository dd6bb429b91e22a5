"""Writing a checked registry workbook (registry.check's Plan) in one transaction: bulk upserts on
the natural keys, in dependency order, so that importing the same workbook again updates rows
instead of duplicating them. Natural keys become ids through dictionaries: no query per row."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models

from gongzhi.elevators.models import Elevator, FaultRecord, InspectionRecord, SafetyAssessment
from gongzhi.elevators.registry.check import Plan, chunks
from gongzhi.elevators.registry.spec import (
    S_APARTMENTS,
    S_ASSESSMENTS,
    S_BUILDINGS,
    S_ELEVATORS,
    S_ENTRANCES,
    S_FAULTS,
    S_INSPECTIONS,
    S_OWNERS,
    Progress,
    Row,
)
from gongzhi.places.models import (
    Apartment,
    Building,
    Community,
    District,
    Entrance,
    Estate,
    Owner,
    OwnerKind,
    Ownership,
    Subdistrict,
)

BATCH = 2000  # rows per bulk write (Django splits further where the database needs it)


def owner_id_hash(identity: str) -> str:
    """The keyed hash under which an owner's identity number is recognised across imports."""
    normalised = re.sub(r"\s+", "", unicodedata.normalize("NFKC", identity)).upper()
    return hashlib.sha256((settings.OWNER_ID_HASH_KEY + normalised).encode()).hexdigest()


class Sql:
    """Bulk upserts on natural keys: INSERT … ON CONFLICT (key) DO UPDATE, the statement that
    bulk_create(update_conflicts=True, unique_fields=…) emits on SQLite and PostgreSQL, built
    here directly from plain tuples: building a model instance and compiling each row through
    the ORM cost several times more than reading the workbook (see bench/bench_import.py)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.qn = connection.ops.quote_name
        self.ops = connection.ops
        self.max_params = 999 if connection.vendor == "sqlite" else 30000
        self.progress = progress
        self.total = total
        self.done = 0

    def tick(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress("write", min(self.done, self.total), self.total)

    def upsert(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        key: Sequence[str],
        update: Sequence[str] = (),
        returning: Sequence[str] = (),
        weight: float = 1.0,
    ) -> list[tuple[Any, ...]]:
        """Insert `rows` (values in `fields` order); on a clash of `key`, update `update` (or
        leave the row). With `returning`, give back (id, *returning) of every row written."""
        if not rows:
            return []
        meta = model._meta
        col = {name: self.qn(_column(model, name)) for name in {*fields, *key, *update, *returning}}
        # Identifiers come from the model's metadata, quoted; every value is a query parameter.
        head = f"INSERT INTO {self.qn(meta.db_table)} ({', '.join(col[f] for f in fields)}) VALUES "  # noqa: S608
        target = ", ".join(col[k] for k in key)
        sets = [*update] or ([key[0]] if returning else [])
        tail = (
            f" ON CONFLICT ({target}) DO UPDATE SET " + ", ".join(f"{col[f]} = excluded.{col[f]}" for f in sets)
            if sets
            else f" ON CONFLICT ({target}) DO NOTHING"
        )
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        out: list[tuple[Any, ...]] = []
        back = " RETURNING " + ", ".join([self.qn(meta.pk.column), *(col[r] for r in returning)]) if returning else ""
        # Many rows per statement: one round trip per batch on PostgreSQL, few statements on SQLite.
        per = max(1, min(500, self.max_params // len(fields)))
        statements: dict[int, str] = {}
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One short statement per batch, each column passed as one array: PostgreSQL
                # parses it once, and the driver does not scan a long text of placeholders.
                types = [_db_type(model, f) for f in fields]
                cast = ", ".join(f"%s::{t}[]" for t in types)
                statement = f"{head.removesuffix(' VALUES ')} SELECT * FROM unnest({cast}){tail}{back}"  # noqa: S608
                for batch in chunks(rows, BATCH):
                    cursor.execute(statement, [list(column) for column in zip(*batch, strict=True)])
                    if returning:
                        out.extend(tuple(r) for r in cursor.fetchall())
                    self.tick(round(len(batch) * weight))
                return out
            for batch in chunks(rows, per):
                n = len(batch)
                if n not in statements:
                    statements[n] = head + ", ".join([one] * n) + tail + back
                cursor.execute(statements[n], [v for row in batch for v in row])
                if returning:
                    out.extend(tuple(r) for r in cursor.fetchall())
                self.tick(round(n * weight))
        return out


def _db_type(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    db_type = field.db_type(connection) if isinstance(field, models.Field) else None
    if not db_type:
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return str(db_type)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return field.column


def _known(pk: int | None) -> int:
    """An id that the checks or an earlier write step have settled."""
    if pk is None:
        raise RuntimeError("registry import: an id was not resolved before writing")
    return pk


def _count(model: type[models.Model]) -> int:
    return model._default_manager.count()


def _places(plan: Plan, counts: dict[str, dict[str, int]]) -> None:
    """Create the districts, subdistricts and communities the file introduces (few: one by one)."""
    made = {"districts": 0, "subdistricts": 0, "communities": 0}
    for ref in plan.estates.values():
        if ref.row is None:
            continue
        if ref.district_id is None:
            district, new = District.objects.get_or_create(name=ref.district_name)
            ref.district_id = district.pk
            made["districts"] += int(new)
        if ref.subdistrict_id is None:
            sub, new = Subdistrict.objects.get_or_create(district_id=ref.district_id, name=ref.subdistrict_name)
            ref.subdistrict_id = sub.pk
            made["subdistricts"] += int(new)
        if ref.community_id is None:
            community, new = Community.objects.get_or_create(subdistrict_id=ref.subdistrict_id, name=ref.community_name)
            ref.community_id = community.pk
            made["communities"] += int(new)
        plan.subdistrict_ids.add(ref.subdistrict_id)
    for what, n in made.items():
        counts[what] = {"created": n, "updated": 0}


def write(sheets: dict[str, list[Row]], plan: Plan, progress: Progress | None) -> dict[str, dict[str, int]]:
    """Write every sheet in dependency order; natural keys become ids through dictionaries."""
    sql = Sql(progress, plan.rows)
    counts: dict[str, dict[str, int]] = {}
    cache_before = 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A large page cache for this connection: inserting a million keys into the unique
            # indexes touches pages all over them, far more than SQLite's default 2 MB holds.
            cursor.execute("PRAGMA cache_size")
            cache_before = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA cache_size = -262144")
    _places(plan, counts)

    listed = [ref for ref in plan.estates.values() if ref.row is not None]
    got = sql.upsert(
        Estate,
        ["community", "name", "address"],
        [(_known(ref.community_id), ref.name, ref.address) for ref in listed],
        key=["community", "name"],
        update=["address"],
        returning=["community", "name"],
    )
    ids = {(c, n): pk for pk, c, n in got}
    created = sum(1 for ref in listed if ref.id is None)
    counts["estates"] = {"created": created, "updated": len(listed) - created}
    for ref in listed:
        ref.id = ids[(ref.community_id, ref.name)]
    estate_id = {name: _known(ref.id) for name, ref in plan.estates.items()}
    estate_name = {pk: name for name, pk in estate_id.items()}

    rows = sheets.get(S_BUILDINGS, [])
    buildings = dict(plan.db_buildings)
    got = sql.upsert(
        Building,
        ["estate", "name", "floors"],
        [(estate_id[v[0]], v[1], v[2]) for _r, v in rows],
        key=["estate", "name"],
        update=["floors"],
        returning=["estate", "name"],
    )
    created = sum(1 for _r, v in rows if (v[0], v[1]) not in buildings)
    counts["buildings"] = {"created": created, "updated": len(rows) - created}
    buildings.update({(estate_name[e], n): pk for pk, e, n in got})
    building_key = {pk: key for key, pk in buildings.items()}

    rows = sheets.get(S_ENTRANCES, [])
    entrances = dict(plan.db_entrances)
    new_rows = [v for _r, v in rows if (v[0], v[1], v[2]) not in entrances]
    got = sql.upsert(
        Entrance,
        ["building", "name"],
        [(buildings[(v[0], v[1])], v[2]) for v in new_rows],
        key=["building", "name"],
        returning=["building", "name"],
    )
    sql.tick(len(rows) - len(new_rows))
    entrances.update({(*building_key[b], n): pk for pk, b, n in got})
    counts["entrances"] = {"created": len(new_rows), "updated": len(rows) - len(new_rows)}
    entrance_key = {pk: key for key, pk in entrances.items()}

    rows = sheets.get(S_APARTMENTS, [])
    apartments = plan.db_apartments
    existing_apartments = set(apartments.values())
    owner_rows = sheets.get(S_OWNERS, [])
    decimal = sql.ops.adapt_decimalfield_value
    got = sql.upsert(
        Apartment,
        ["entrance", "room", "floor", "area", "developer_held"],
        [(entrances[(v[0], v[1], v[2])], v[3], v[4], decimal(v[5]), bool(v[6])) for _r, v in rows],
        key=["entrance", "room"],
        update=["floor", "area", "developer_held"],
        returning=["entrance", "room"] if owner_rows else [],
    )
    created = sum(1 for _r, v in rows if (v[0], v[1], v[2], v[3]) not in apartments)
    counts["apartments"] = {"created": created, "updated": len(rows) - created}
    apartments.update({(*entrance_key[e], room): pk for pk, e, room in got})
    del got

    if owner_rows:
        _write_owners(sql, owner_rows, apartments, existing_apartments, counts)

    rows = sheets.get(S_ELEVATORS, [])
    elevators = dict(plan.db_elevators)
    date = sql.ops.adapt_datefield_value
    got = sql.upsert(
        Elevator,
        [
            "device_code", "registration_number", "entrance", "commissioned_on", "maker", "model",
            "rated_load_kg", "rated_speed_mps", "stops", "maintenance_company",
        ],
        [
            (
                v[0], v[1] or "", entrances[(v[2], v[3], v[4])], date(v[5]), v[6] or "", v[7] or "",
                v[8], decimal(v[9]) if v[9] is not None else None, v[10], v[11] or "",
            )
            for _r, v in rows
        ],
        key=["device_code"],
        update=[
            "registration_number", "entrance", "commissioned_on", "maker", "model",
            "rated_load_kg", "rated_speed_mps", "stops", "maintenance_company",
        ],
        returning=["device_code"],
    )  # fmt: skip
    created = sum(1 for _r, v in rows if v[0] not in elevators)
    counts["elevators"] = {"created": created, "updated": len(rows) - created}
    elevators.update({code: pk for pk, code in got})

    stamp = sql.ops.adapt_datetimefield_value
    rows = sheets.get(S_FAULTS, [])
    before = _count(FaultRecord)
    sql.upsert(
        FaultRecord,
        ["elevator", "occurred_at", "kind", "people_trapped", "hours_out_of_service"],
        [(elevators[v[0]], stamp(v[1]), v[2], v[3] or 0, decimal(v[4] or Decimal("0.00"))) for _r, v in rows],
        key=["elevator", "occurred_at", "kind"],
        update=["people_trapped", "hours_out_of_service"],
    )
    created = _count(FaultRecord) - before
    counts["faults"] = {"created": created, "updated": len(rows) - created}

    rows = sheets.get(S_INSPECTIONS, [])
    before = _count(InspectionRecord)
    sql.upsert(
        InspectionRecord,
        ["elevator", "inspected_on", "result", "inspector"],
        [(elevators[v[0]], date(v[1]), v[2], v[3] or "") for _r, v in rows],
        key=["elevator", "inspected_on"],
        update=["result", "inspector"],
    )
    created = _count(InspectionRecord) - before
    counts["inspections"] = {"created": created, "updated": len(rows) - created}

    rows = sheets.get(S_ASSESSMENTS, [])
    before = _count(SafetyAssessment)
    sql.upsert(
        SafetyAssessment,
        ["elevator", "assessed_on", "assessor", "grade", "conclusion"],
        [(elevators[v[0]], date(v[1]), v[2], v[3] or "", v[4]) for _r, v in rows],
        key=["elevator", "assessed_on"],
        update=["assessor", "grade", "conclusion"],
    )
    created = _count(SafetyAssessment) - before
    counts["assessments"] = {"created": created, "updated": len(rows) - created}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_before:d}")
    if progress:
        progress("write", plan.rows, plan.rows)
    return counts


def _write_owners(
    sql: Sql,
    rows: list[Row],
    apartments: dict[tuple[str, str, str, str], int],
    existing_apartments: set[int],
    counts: dict[str, dict[str, int]],
) -> None:
    """Owners by the hash of their identity number; the apartments listed get exactly the
    listed owners (co-owners: several rows; an owner of several apartments: one row each)."""
    pepper = settings.OWNER_ID_HASH_KEY
    owners: dict[str, tuple[str, str, str, str, str]] = {}
    links: set[tuple[int, str]] = set()
    for _r, v in rows:
        identity: str = v[6]
        id_hash = hashlib.sha256((pepper + identity).encode()).hexdigest()
        if id_hash not in owners:
            owners[id_hash] = (v[4], v[5] or OwnerKind.PERSON, id_hash, identity[-4:], v[7] or "")
        links.add((apartments[(v[0], v[1], v[2], v[3])], id_hash))
    before = _count(Owner)
    got = sql.upsert(
        Owner,
        ["name", "kind", "id_hash", "id_last4", "phone"],
        [owners[h] for h in sorted(owners)],  # in key order: the unique index grows at its end
        key=["id_hash"],
        update=["name", "kind", "id_last4", "phone"],
        returning=["id_hash"],
        weight=len(rows) / len(owners) / 2,
    )
    created = _count(Owner) - before
    counts["owners"] = {"created": created, "updated": len(owners) - created}
    owner_id = {h: pk for pk, h in got}
    removed = 0
    for chunk in chunks(sorted({a for a, _h in links} & existing_apartments)):
        removed += Ownership.objects.filter(apartment_id__in=chunk).delete()[0]
    pairs = sorted((owner_id[h], a) for a, h in links)
    sql.upsert(Ownership, ["owner", "apartment"], pairs, key=["owner", "apartment"], weight=len(rows) / len(pairs) / 2)
    counts["ownerships"] = {"created": len(pairs), "updated": 0, "removed": removed}
