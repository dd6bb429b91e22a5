"""Checking a read registry workbook against the database before anything is written: natural
keys resolved to ids, duplicates within the file, references to places and elevators that exist
neither in the file nor in the system, and the actor's scope (registry.access). Every problem is
collected; the result is a Plan that registry.write carries out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.elevators.device_codes import device_code_warning
from gongzhi.elevators.models import Elevator
from gongzhi.elevators.registry.access import RegistryScope
from gongzhi.elevators.registry.read import Problems
from gongzhi.elevators.registry.spec import (
    S_APARTMENTS,
    S_ASSESSMENTS,
    S_BUILDINGS,
    S_ELEVATORS,
    S_ENTRANCES,
    S_ESTATES,
    S_FAULTS,
    S_INSPECTIONS,
    S_OWNERS,
    Progress,
    Row,
)
from gongzhi.places.access import Chain, chain_at
from gongzhi.places.models import Apartment, Building, Community, District, Entrance, Estate, Subdistrict

LOOKUP_CHUNK = 900  # ids or keys per IN (...) lookup; below SQLite's 999 variables


@dataclass
class EstateRef:
    """An estate as the file names it, resolved against the database."""

    name: str
    id: int | None = None
    community_id: int | None = None
    subdistrict_id: int | None = None
    district_id: int | None = None
    # For an estate listed in the 小区 sheet and not yet in the database: names to create.
    district_name: str = ""
    subdistrict_name: str = ""
    community_name: str = ""
    address: str = ""
    row: int | None = None  # its row in the 小区 sheet, if listed


@dataclass
class Plan:
    """Everything checked and resolved, ready to write."""

    estates: dict[str, EstateRef] = field(default_factory=dict)
    db_buildings: dict[tuple[str, str], int] = field(default_factory=dict)
    db_entrances: dict[tuple[str, str, str], int] = field(default_factory=dict)
    db_apartments: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    db_elevators: dict[str, int] = field(default_factory=dict)
    subdistrict_ids: set[int] = field(default_factory=set)
    warnings: list[dict[str, object]] = field(default_factory=list)
    rows: int = 0


def chunks(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check(actor: Actor, sheets: dict[str, list[Row]], problems: Problems, progress: Progress | None) -> Plan:
    """Resolve the file's natural keys against the database and check references and scope."""
    plan = Plan()
    scope = RegistryScope(actor)
    plan.rows = sum(len(rows) for rows in sheets.values())
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("check", done, plan.rows)

    # Duplicates of a natural key within the file.
    key_columns = {
        S_ESTATES: ((3,), "小区名称"),
        S_BUILDINGS: ((0, 1), "楼栋"),
        S_ENTRANCES: ((0, 1, 2), "单元"),
        S_APARTMENTS: ((0, 1, 2, 3), "室号"),
        S_OWNERS: ((0, 1, 2, 3, 6), "证件号码"),
        S_ELEVATORS: ((0,), "设备代码"),
        S_FAULTS: ((0, 1, 2), "发生时间"),
        S_INSPECTIONS: ((0, 1), "检验日期"),
        S_ASSESSMENTS: ((0, 1), "评估日期"),
    }
    for sheet, rows in sheets.items():
        idx, column = key_columns[sheet]
        first: dict[tuple[Any, ...], int] = {}
        for row_no, values in rows:
            key = tuple(values[i] for i in idx)
            if any(k is None for k in key):
                continue
            seen = first.setdefault(key, row_no)
            if seen != row_no:
                if sheet == S_ELEVATORS:
                    message = _("设备代码“%(code)s”在文件中重复（另见第 %(row)d 行）。") % {"code": key[0], "row": seen}
                elif sheet == S_ESTATES:
                    message = _("小区名称“%(name)s”在文件中重复（另见第 %(row)d 行）。") % {"name": key[0], "row": seen}
                else:
                    message = _("与第 %(row)d 行重复。") % {"row": seen}
                problems.add(sheet, row_no, column, message)

    # Estates: those listed in the file, and those only referred to (must already exist).
    districts = {name: pk for pk, name in District.objects.values_list("id", "name")}
    subdistricts = {(d, name): (pk, d) for pk, d, name in Subdistrict.objects.values_list("id", "district_id", "name")}
    subdistrict_of_id = {pk: d for (d, _name), (pk, _d) in subdistricts.items()}
    communities = {(s, name): pk for pk, s, name in Community.objects.values_list("id", "subdistrict_id", "name")}
    community_sub = {pk: s for (s, _name), pk in communities.items()}
    referred: set[str] = set()
    for sheet in (S_BUILDINGS, S_ENTRANCES, S_APARTMENTS, S_OWNERS):
        referred.update(values[0] for _r, values in sheets.get(sheet, []) if values[0] is not None)
    referred.update(values[2] for _r, values in sheets.get(S_ELEVATORS, []) if values[2] is not None)
    listed = {values[3]: (row_no, values) for row_no, values in sheets.get(S_ESTATES, []) if values[3] is not None}
    names = sorted(referred | set(listed))
    db_estates: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for chunk in chunks(names):
        for pk, name, community_id in Estate.objects.filter(name__in=chunk).values_list("id", "name", "community_id"):
            db_estates[name].append((pk, community_id))

    for name, (row_no, values) in listed.items():
        district_name, sub_name, community_name, _n, address = values
        ref = EstateRef(name=name, address=address or "", row=row_no)
        plan.estates[name] = ref
        if district_name is None or sub_name is None or community_name is None:
            continue
        ref.district_name, ref.subdistrict_name, ref.community_name = district_name, sub_name, community_name
        ref.district_id = districts.get(district_name)
        if ref.district_id is None:
            if not scope.superuser:
                problems.add(
                    S_ESTATES,
                    row_no,
                    "区",
                    _("区县“%(name)s”不在系统中，只有系统管理员可以新建。") % {"name": district_name},
                )
            continue
        sub = subdistricts.get((ref.district_id, sub_name))
        if sub is None:
            if not scope.superuser:
                problems.add(
                    S_ESTATES,
                    row_no,
                    "街道",
                    _("街道“%(name)s”不在系统中，只有系统管理员可以新建。") % {"name": sub_name},
                )
            continue
        ref.subdistrict_id = sub[0]
        ref.community_id = communities.get((ref.subdistrict_id, community_name))
        if ref.community_id is None:
            if not scope.may(chain_at(ref.district_id, ref.subdistrict_id)):
                problems.add(
                    S_ESTATES,
                    row_no,
                    "社区",
                    _("无权在街道“%(name)s”新建社区“%(community)s”。")
                    % {"name": sub_name, "community": community_name},
                )
            continue
        ref.id = next((pk for pk, c in db_estates.get(name, []) if c == ref.community_id), None)
        chain = chain_at(ref.district_id, ref.subdistrict_id, ref.community_id, ref.id)
        if not scope.may(chain):
            problems.add(S_ESTATES, row_no, "小区名称", _("无权修改小区“%(name)s”的登记信息。") % {"name": name})

    unresolved: set[str] = set()
    for name in sorted(referred - set(listed)):
        candidates = db_estates.get(name, [])
        if len(candidates) != 1:
            unresolved.add(name)
            continue
        pk, community_id = candidates[0]
        sub_id = community_sub[community_id]
        ref = EstateRef(name=name, id=pk, community_id=community_id, subdistrict_id=sub_id)
        ref.district_id = subdistrict_of_id[sub_id]
        plan.estates[name] = ref
    refused_estates: set[str] = set()
    for name, ref in plan.estates.items():
        if (
            ref.row is None
            and ref.district_id is not None
            and ref.subdistrict_id is not None
            and not scope.may(chain_at(ref.district_id, ref.subdistrict_id, ref.community_id, ref.id))
        ):
            refused_estates.add(name)
        if ref.subdistrict_id is not None:
            plan.subdistrict_ids.add(ref.subdistrict_id)

    reported_scope: set[tuple[str, str]] = set()

    def estate_ok(sheet: str, row_no: int, name: str | None) -> bool:
        if name is None:
            return False
        if name in unresolved:
            if db_estates.get(name):
                message = _("系统中有多个名为“%(name)s”的小区，请在“小区”工作表中注明其区、街道和社区。")
            else:
                message = _("小区“%(name)s”既不在“小区”工作表中，也不在系统中。")
            problems.add(sheet, row_no, "小区", message % {"name": name})
            return False
        if name in refused_estates:
            if (sheet, name) not in reported_scope:
                reported_scope.add((sheet, name))
                problems.add(sheet, row_no, "小区", _("无权修改小区“%(name)s”的登记信息。") % {"name": name})
            return False
        return True

    # What the database already holds under the estates concerned, keyed by names.
    name_of = {ref.id: name for name, ref in plan.estates.items() if ref.id is not None}
    estate_ids = list(name_of)
    building_names: dict[int, tuple[str, str]] = {}
    entrance_names: dict[int, tuple[str, str, str]] = {}
    for chunk in chunks(estate_ids):
        for pk, estate_id, bname in Building.objects.filter(estate_id__in=chunk).values_list("id", "estate_id", "name"):
            key = (name_of[estate_id], bname)
            plan.db_buildings[key] = pk
            building_names[pk] = key
        for pk, building_id, ename in Entrance.objects.filter(building__estate_id__in=chunk).values_list(
            "id", "building_id", "name"
        ):
            ekey = (*building_names[building_id], ename)
            plan.db_entrances[ekey] = pk
            entrance_names[pk] = ekey
    if sheets.get(S_OWNERS) or sheets.get(S_APARTMENTS):
        for chunk in chunks(estate_ids):
            for pk, entrance_id, room in Apartment.objects.filter(entrance__building__estate_id__in=chunk).values_list(
                "id", "entrance_id", "room"
            ):
                plan.db_apartments[(*entrance_names[entrance_id], room)] = pk

    file_buildings = {(v[0], v[1]) for _r, v in sheets.get(S_BUILDINGS, [])}
    file_entrances = {(v[0], v[1], v[2]) for _r, v in sheets.get(S_ENTRANCES, [])}
    file_apartments = {(v[0], v[1], v[2], v[3]) for _r, v in sheets.get(S_APARTMENTS, [])}

    for row_no, v in sheets.get(S_BUILDINGS, []):
        estate_ok(S_BUILDINGS, row_no, v[0])
    tick(len(sheets.get(S_BUILDINGS, [])))

    def entrance_ok(sheet: str, row_no: int, v: list[Any]) -> None:
        if not estate_ok(sheet, row_no, v[0]) or v[1] is None:
            return
        if (v[0], v[1]) not in file_buildings and (v[0], v[1]) not in plan.db_buildings:
            problems.add(
                sheet,
                row_no,
                "楼栋",
                _("楼栋“%(estate)s %(building)s”既不在“楼栋”工作表中，也不在系统中。")
                % {"estate": v[0], "building": v[1]},
            )

    for row_no, v in sheets.get(S_ENTRANCES, []):
        entrance_ok(S_ENTRANCES, row_no, v)
    tick(len(sheets.get(S_ENTRANCES, [])))

    def unit_ok(sheet: str, row_no: int, v: list[Any]) -> bool:
        """The row's estate, building and entrance (columns 0, 1, 2 of `v`) exist."""
        if not estate_ok(sheet, row_no, v[0]) or v[1] is None or v[2] is None:
            return False
        key = (v[0], v[1], v[2])
        if key not in file_entrances and key not in plan.db_entrances:
            problems.add(
                sheet,
                row_no,
                "单元",
                _("单元“%(estate)s %(building)s %(entrance)s”既不在“单元”工作表中，也不在系统中。")
                % {"estate": v[0], "building": v[1], "entrance": v[2]},
            )
            return False
        return True

    for row_no, v in sheets.get(S_APARTMENTS, []):
        unit_ok(S_APARTMENTS, row_no, v)
    tick(len(sheets.get(S_APARTMENTS, [])))

    for row_no, v in sheets.get(S_OWNERS, []):
        if unit_ok(S_OWNERS, row_no, v) and v[3] is not None:
            key = (v[0], v[1], v[2], v[3])
            if key not in file_apartments and key not in plan.db_apartments:
                problems.add(
                    S_OWNERS,
                    row_no,
                    "室号",
                    _("房屋“%(estate)s %(building)s %(entrance)s %(room)s”既不在“房屋”工作表中，也不在系统中。")
                    % {"estate": v[0], "building": v[1], "entrance": v[2], "room": v[3]},
                )
    tick(len(sheets.get(S_OWNERS, [])))

    # Elevators: by device code, in the file or in the database.
    codes: set[str] = set()
    for sheet in (S_ELEVATORS, S_FAULTS, S_INSPECTIONS, S_ASSESSMENTS):
        codes.update(v[0] for _r, v in sheets.get(sheet, []) if v[0] is not None)
    db_elevator_estate: dict[str, int] = {}
    for chunk in chunks(sorted(codes)):
        for code, pk, estate_id in Elevator.objects.filter(device_code__in=chunk).values_list(
            "device_code", "id", "entrance__building__estate_id"
        ):
            plan.db_elevators[code] = pk
            db_elevator_estate[code] = estate_id
    # Elevators already registered in estates the file does not name: their estates' chains.
    other_estates = set(db_elevator_estate.values()) - set(name_of)
    chains: dict[int, Chain] = {}
    for chunk in chunks(sorted(other_estates)):
        for pk, community_id, sub_id, district_id in Estate.objects.filter(id__in=chunk).values_list(
            "id", "community_id", "community__subdistrict_id", "community__subdistrict__district_id"
        ):
            chains[pk] = chain_at(district_id, sub_id, community_id, pk)
    for ref in plan.estates.values():
        if ref.id is not None and ref.district_id is not None and ref.subdistrict_id is not None:
            chains[ref.id] = chain_at(ref.district_id, ref.subdistrict_id, ref.community_id, ref.id)

    def elevator_scope_ok(sheet: str, row_no: int, code: str) -> bool:
        estate_id = db_elevator_estate.get(code)
        if estate_id is None:
            return True
        chain = chains.get(estate_id)
        if chain is not None:
            plan.subdistrict_ids.add(chain.subdistrict_id)
        if chain is None or not scope.may(chain):
            problems.add(sheet, row_no, "设备代码", _("无权修改电梯“%(code)s”的登记信息。") % {"code": code})
            return False
        return True

    file_codes = {v[0] for _r, v in sheets.get(S_ELEVATORS, [])}
    unlisted_warnings = 0
    for row_no, v in sheets.get(S_ELEVATORS, []):
        code = v[0]
        if code is not None:
            warning = device_code_warning(code)
            if warning is not None and len(plan.warnings) >= problems.limit:
                unlisted_warnings += 1
            elif warning is not None:
                plan.warnings.append(
                    {
                        "sheet": S_ELEVATORS,
                        "row": row_no,
                        "column": "设备代码",
                        "message": _("设备代码“%(code)s”不是 18 位（TSG 08）或旧 20 位格式，已照常导入，请核对。")
                        % {"code": code},
                    }
                )
            elevator_scope_ok(S_ELEVATORS, row_no, code)
        unit_ok(S_ELEVATORS, row_no, [v[2], v[3], v[4]])
    tick(len(sheets.get(S_ELEVATORS, [])))
    if unlisted_warnings:
        message = _("另有 %(n)d 个设备代码格式提示未列出。") % {"n": unlisted_warnings}
        plan.warnings.append({"sheet": S_ELEVATORS, "row": None, "column": "设备代码", "message": message})

    for sheet in (S_FAULTS, S_INSPECTIONS, S_ASSESSMENTS):
        for row_no, v in sheets.get(sheet, []):
            code = v[0]
            if code is None:
                continue
            if code not in file_codes and code not in plan.db_elevators:
                problems.add(
                    sheet,
                    row_no,
                    "设备代码",
                    _("电梯“%(code)s”既不在“电梯”工作表中，也不在系统中。") % {"code": code},
                )
            elif code not in file_codes:
                elevator_scope_ok(sheet, row_no, code)
        tick(len(sheets.get(sheet, [])))
    return plan
