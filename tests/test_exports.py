"""The campaign workbook (elevators.exports.campaign_workbook)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from gongzhi.core.actors import SYSTEM
from gongzhi.elevators.exports import campaign_workbook
from gongzhi.elevators.selectors import access_campaigns, campaign_entries
from gongzhi.elevators.services import campaign_rank
from gongzhi.places.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = [
    "排名",
    "小区",
    "地址",
    "设备代码",
    "使用登记证编号",
    "投用日期",
    "梯龄(年)",
    "等级",
    "优先分",
    "近12个月故障",
    "服务户数",
    "经评估认定",
]


@pytest.fixture
def ranked() -> dict[str, Any]:
    sub = f.SubdistrictFactory()
    estate = f.EstateFactory(community=f.CommunityFactory(subdistrict=sub), name="棕榈湾")
    entrance = f.EntranceFactory(building=f.BuildingFactory(estate=estate, name="3幢"), name="2单元")
    for i in range(5):
        f.ApartmentFactory(entrance=entrance, room=f"{i + 1}01", floor=i + 1)
    old = f.ElevatorFactory(
        entrance=entrance,
        device_code="311033001200300001",
        registration_number="梯11浙A00001(03)",
        commissioned_on=dt.date(2003, 5, 1),
    )
    f.FaultRecordFactory(elevator=old, occurred_at=dt.datetime(2024, 7, 1, 8, tzinfo=dt.UTC))
    assessed = f.ElevatorFactory(
        entrance=entrance, device_code="311033001201400002", commissioned_on=dt.date(2014, 1, 1)
    )
    f.SafetyAssessmentFactory(elevator=assessed, assessed_on=dt.date(2024, 3, 1), conclusion="renew")
    f.ElevatorFactory(entrance=entrance, device_code="311033001201800003", commissioned_on=dt.date(2018, 1, 1))
    campaign = f.CampaignFactory(subdistrict=sub, name="良渚街道2024年老旧电梯更新")
    campaign_rank(actor=SYSTEM, campaign=campaign)
    staff = f.user_with_role(Role.SUBDISTRICT_STAFF, subdistrict=sub)
    return {"campaign": campaign, "staff": staff, "entrance": entrance}


def _workbook(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def test_title_header_and_rows(ranked: dict[str, Any]) -> None:
    staff = ranked["staff"]
    campaign = access_campaigns(staff).get(pk=ranked["campaign"].pk)
    data = campaign_workbook(campaign=campaign, entries=campaign_entries(staff, campaign))
    wb = _workbook(data)
    assert wb.sheetnames == ["排序清单", "说明"]
    ws = wb["排序清单"]
    assert ws["A1"].value == "良渚街道2024年老旧电梯更新"
    facts = ws["A2"].value
    assert "良渚街道" in facts
    assert "2024-09-01" in facts
    assert "15" in facts
    assert "20" in facts
    assert [c.value for c in ws[3]] == HEADER
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 2  # the 2018 elevator does not qualify
    first = rows[0]
    assert first[0] == 1
    assert first[1] == "棕榈湾"
    assert first[2] == "3幢2单元"
    assert first[3] == "311033001200300001"
    assert first[4] == "梯11浙A00001(03)"
    assert first[5] == dt.datetime(2003, 5, 1)  # a real Excel date
    assert ws["F4"].number_format == "yyyy-mm-dd"
    assert first[6] == 21
    assert first[7] == "优先"
    assert first[8] == pytest.approx(float(ranked["campaign"].entries.get(rank=1).score))
    assert first[9] == 1
    assert first[10] == 5
    assert first[11] is None
    second = rows[1]
    assert second[3] == "311033001201400002"
    assert second[7] == "符合条件"
    assert second[11] == "是"  # eligible by assessment


def test_layout_for_filing(ranked: dict[str, Any]) -> None:
    staff = ranked["staff"]
    campaign = access_campaigns(staff).get(pk=ranked["campaign"].pk)
    ws = _workbook(campaign_workbook(campaign=campaign, entries=campaign_entries(staff, campaign)))["排序清单"]
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.column_dimensions["D"].width >= 20
    notes = _workbook(campaign_workbook(campaign=campaign, entries=[]))["说明"]
    text = " ".join(str(c) for row in notes.iter_rows(values_only=True) for c in row if c is not None)
    assert "20" in text
    assert "民法典" in text
    assert "优先分" in text


def test_no_query_per_row(ranked: dict[str, Any], django_assert_num_queries: Any) -> None:
    for i in range(30):
        f.ElevatorFactory(
            entrance=ranked["entrance"], device_code=f"3110330012000{i:05d}", commissioned_on=dt.date(2000, 1, 1)
        )
    campaign_rank(actor=SYSTEM, campaign=ranked["campaign"])
    staff = ranked["staff"]
    campaign = access_campaigns(staff).get(pk=ranked["campaign"].pk)
    entries = campaign_entries(staff, campaign)
    with django_assert_num_queries(1):  # the entries themselves, with their places joined
        data = campaign_workbook(campaign=campaign, entries=entries.iterator())
    rows = list(_workbook(data)["排序清单"].iter_rows(min_row=4, values_only=True))
    assert len(rows) == 32
    assert [r[0] for r in rows] == list(range(1, 33))
