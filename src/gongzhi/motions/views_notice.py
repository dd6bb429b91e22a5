"""The public result notice of a closed motion (表决结果公告), made for A4 printing and posting.

No login: a result notice is meant to be posted in the stairwell and shared, so anyone holding
the address may read it. It is keyed by the motion's random public_id (not its row number) and
exists only once the result is frozen (MotionResult). It shows aggregate figures only, never a
name, a room or a choice of one owner (Personal Information Protection Law Art. 6: no more
personal information than the purpose needs).

Also here: the rule "in words" (used by the voter's page and the sheets too) and its legal
source: PRC Civil Code Art. 278 (thresholds), Art. 1259 ("以上" includes the number, "超过" does
not, so "过半数" means more than half), and the SPC interpretation on building ownership
(法释〔2009〕7号) Art. 8-9 (how area and headcount are counted).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongzhi.core.qr import absolute_url, qr_svg
from gongzhi.motions import services
from gongzhi.motions import thresholds as th
from gongzhi.motions.models import Motion, MotionResult, MotionStatus, ScopeKind

_CN_DIGITS = "零一二三四五六七八九十"
_HALF = Fraction(1, 2)
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


_FRACTION = "%(den)s分之%(num)s"


def _numeral(n: int) -> str:
    """Small numbers in Chinese numerals as the statute writes them (三分之二), as long as the
    fraction is worded in Chinese (not translated, e.g. to "%(num)s/%(den)s"); else digits."""
    chinese = (get_language() or "zh-hans").startswith("zh") or _(_FRACTION) == _FRACTION
    if chinese and 0 <= n <= 10:
        return _CN_DIGITS[n]
    return str(n)


def threshold_words(threshold: th.Threshold) -> str:
    """A threshold as the Civil Code says it: "三分之二以上" (inclusive) or "过半数" / "超过…" (not)."""
    fraction = threshold.fraction
    if not threshold.inclusive and fraction == _HALF:
        return _("过半数")
    if fraction == 1:
        share = _("全部")
    else:
        share = _("%(den)s分之%(num)s") % {  # the msgid of _FRACTION, spelled out for makemessages
            "den": _numeral(fraction.denominator),
            "num": _numeral(fraction.numerator),
        }
    if threshold.inclusive:
        return _("%(share)s以上") % {"share": share}
    return _("超过%(share)s") % {"share": share}


@dataclass(frozen=True)
class RuleText:
    """A motion's rule in sentences for owners, with the legal source of each part."""

    participation: str
    approval: str
    source: str
    counting: str
    inclusive_note: str
    custom: bool
    thresholds: list[tuple[str, str]]  # (label, ">=2/3") for custom rules


def rule_text(motion: Motion) -> RuleText:
    rule = services.motion_rule(motion)
    participation = _("须专有部分面积占比%(area)s且人数占比%(owners)s的业主参与表决。") % {
        "area": threshold_words(rule.participation_area),
        "owners": threshold_words(rule.participation_owners),
    }
    approval = _("须经参与表决专有部分面积%(area)s的业主且参与表决人数%(owners)s的业主同意。") % {
        "area": threshold_words(rule.approval_area),
        "owners": threshold_words(rule.approval_owners),
    }
    if motion.rule_preset == th.PRESET_SPECIAL:
        source = _(
            "依据《中华人民共和国民法典》第二百七十八条：筹集建筑物及其附属设施的维修资金，改建、重建建筑物及其"
            "附属设施，改变共有部分的用途或者利用共有部分从事经营活动（第一款第六项至第八项），应当经参与表决"
            "专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意。"
        )
    elif motion.rule_preset == th.PRESET_ORDINARY:
        source = _(
            "依据《中华人民共和国民法典》第二百七十八条：业主共同决定事项，应当由专有部分面积占比三分之二以上的"
            "业主且人数占比三分之二以上的业主参与表决；一般事项应当经参与表决专有部分面积过半数的业主且参与表决"
            "人数过半数的业主同意。"
        )
    else:
        source = _(
            "本事项采用自定义门槛（见下表）。作为对照，《中华人民共和国民法典》第二百七十八条规定业主共同决定事项"
            "须专有部分面积和人数均三分之二以上的业主参与表决，并经参与表决的面积和人数均过半数（第一款第六项至"
            "第八项为四分之三以上）的业主同意。"
        )
    return RuleText(
        participation=participation,
        approval=approval,
        source=source,
        counting=_(
            "面积按不动产登记簿记载的专有部分面积计算；人数按专有部分计算，建设单位未出售或未交付的房屋计为一人，"
            "一人拥有多个专有部分的计为一人（最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释"
            "第八条、第九条）。未参与表决的业主不计为同意。"
        ),
        inclusive_note=_(
            "《民法典》第一千二百五十九条：“以上”包括本数，“超过”不包括本数，因此“过半数”须超过一半，恰好一半不算。"
        ),
        custom=not motion.rule_preset,
        thresholds=[
            (_("参与表决的面积"), str(rule.participation_area)),
            (_("参与表决的人数"), str(rule.participation_owners)),
            (_("同意的面积（占参与表决）"), str(rule.approval_area)),
            (_("同意的人数（占参与表决）"), str(rule.approval_owners)),
        ],
    )


def scope_text(motion: Motion) -> str:
    """Which apartments were asked (an entrance, a building, the estate or a hand-picked set)."""
    estate = motion.estate.name
    if motion.scope_kind == ScopeKind.ENTRANCE and motion.scope_entrance is not None:
        entrance = motion.scope_entrance
        return _("%(estate)s%(building)s%(entrance)s全体业主") % {
            "estate": estate,
            "building": entrance.building.name,
            "entrance": entrance.name,
        }
    if motion.scope_kind == ScopeKind.BUILDING and motion.scope_building is not None:
        return _("%(estate)s%(building)s全体业主") % {"estate": estate, "building": motion.scope_building.name}
    if motion.scope_kind == ScopeKind.APARTMENTS:
        return _("%(estate)s指定的 %(n)d 户业主") % {"estate": estate, "n": motion.roll.count()}
    return _("%(estate)s全体业主") % {"estate": estate}


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part * _HUNDRED / whole).quantize(_CENT)


@dataclass(frozen=True)
class FigureRow:
    label: str
    area: Decimal
    area_pct: Decimal | None
    owners: int
    owners_pct: Decimal | None
    base: str  # what the percentages are of


@dataclass(frozen=True)
class ThresholdRow:
    label: str
    words: str
    actual_pct: Decimal | None
    met: bool


def _figures(outcome: dict[str, Any], key: str) -> tuple[Decimal, int]:
    data = outcome[key]
    return Decimal(str(data["area"])), int(data["owners"])


@dataclass(frozen=True)
class OptionRow:
    """One option of a choice motion on the notice: its frozen figures against the participating
    ones, whether it met the approval thresholds and whether it was adopted."""

    position: int
    label: str
    area: Decimal
    area_pct: Decimal | None
    owners: int
    owners_pct: Decimal | None
    approved: bool
    adopted: bool


def is_choice(result: MotionResult) -> bool:
    return bool(result.outcome.get("kind") == "choice")


def option_label(position: int, label: str) -> str:
    return _("方案%(n)s：%(label)s") % {"n": position, "label": label}


def option_rows(result: MotionResult) -> list[OptionRow]:
    """The options of a closed choice motion from the frozen outcome ([] for a question)."""
    if not is_choice(result):
        return []
    outcome = result.outcome
    part_area, part_owners = _figures(outcome, "participating")
    rows = []
    for option in outcome.get("options", []):
        area, owners = _figures(option, "votes")
        rows.append(
            OptionRow(
                int(option["position"]),
                str(option["label"]),
                area,
                _percent(area, part_area),
                owners,
                _percent(Decimal(owners), Decimal(part_owners)),
                bool(option.get("approved")),
                bool(option.get("adopted")),
            )
        )
    return rows


def adopted_option(result: MotionResult) -> OptionRow | None:
    return next((row for row in option_rows(result) if row.adopted), None)


def _participation_checks(
    rule: th.VotingRule, part_area: Decimal, total_area: Decimal, part_owners: int, total_owners: int
) -> list[ThresholdRow]:
    return [
        ThresholdRow(
            _("参与表决的专有部分面积"),
            threshold_words(rule.participation_area),
            _percent(part_area, total_area),
            rule.participation_area.met(part_area, total_area),
        ),
        ThresholdRow(
            _("参与表决的业主人数"),
            threshold_words(rule.participation_owners),
            _percent(Decimal(part_owners), Decimal(total_owners)),
            rule.participation_owners.met(part_owners, total_owners),
        ),
    ]


def result_figures(motion: Motion, result: MotionResult) -> tuple[list[FigureRow], list[ThresholdRow]]:
    """The frozen figures of the result (MotionResult.outcome, never recomputed) with percentages:
    participation of the totals, choices of the participating figures (Civil Code Art. 278).

    For a choice motion the rows are each option and abstaining, and the checks are the
    participation ones (each option's approval is in option_rows)."""
    outcome = result.outcome
    total_area, total_owners = _figures(outcome, "total")
    part_area, part_owners = _figures(outcome, "participating")
    of_total, of_part = _("占总数"), _("占参与表决")
    if is_choice(result):
        rule = services.motion_rule(motion)
        abstain_area, abstain_owners = _figures(outcome, "abstain")
        choice_rows = [
            FigureRow(_("总数"), total_area, _percent(total_area, total_area), total_owners,
                      _percent(Decimal(total_owners), Decimal(total_owners)), of_total),
            FigureRow(_("参与表决"), part_area, _percent(part_area, total_area), part_owners,
                      _percent(Decimal(part_owners), Decimal(total_owners)), of_total),
            *(FigureRow(option_label(o.position, o.label), o.area, o.area_pct, o.owners, o.owners_pct, of_part)
              for o in option_rows(result)),
            FigureRow(_("弃权"), abstain_area, _percent(abstain_area, part_area), abstain_owners,
                      _percent(Decimal(abstain_owners), Decimal(part_owners)), of_part),
        ]  # fmt: skip
        return choice_rows, _participation_checks(rule, part_area, total_area, part_owners, total_owners)
    rows = [
        FigureRow(_("总数"), total_area, _percent(total_area, total_area), total_owners,
                  _percent(Decimal(total_owners), Decimal(total_owners)), of_total),
        FigureRow(_("参与表决"), part_area, _percent(part_area, total_area), part_owners,
                  _percent(Decimal(part_owners), Decimal(total_owners)), of_total),
    ]  # fmt: skip
    for key, label in (("for", _("同意")), ("against", _("反对")), ("abstain", _("弃权"))):
        area, owners = _figures(outcome, key)
        rows.append(
            FigureRow(
                label,
                area,
                _percent(area, part_area),
                owners,
                _percent(Decimal(owners), Decimal(part_owners)),
                of_part,
            )
        )
    rule = services.motion_rule(motion)
    for_area, for_owners = _figures(outcome, "for")
    checks = [
        *_participation_checks(rule, part_area, total_area, part_owners, total_owners),
        ThresholdRow(
            _("同意的专有部分面积（占参与表决）"),
            threshold_words(rule.approval_area),
            _percent(for_area, part_area),
            part_owners > 0 and rule.approval_area.met(for_area, part_area),
        ),
        ThresholdRow(
            _("同意的业主人数（占参与表决）"),
            threshold_words(rule.approval_owners),
            _percent(Decimal(for_owners), Decimal(part_owners)),
            part_owners > 0 and rule.approval_owners.met(for_owners, part_owners),
        ),
    ]
    return rows, checks


def motion_notice(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """表决结果公告: public, 404 until the motion is closed and its result frozen."""
    services.motions_close_due()
    motion = (
        Motion.objects.select_related("estate__community", "scope_building", "scope_entrance__building", "result")
        .filter(public_id=public_id, status=MotionStatus.CLOSED, result__isnull=False)
        .first()
    )  # deliberately not access_motions: a published notice is public by law and by design
    if motion is None:
        raise Http404(_("公告不存在，或表决尚未结束。"))
    result = motion.result
    rows, checks = result_figures(motion, result)
    outcome = result.outcome
    page_url = absolute_url(request, reverse("motion_notice", args=[motion.public_id]))
    context = {
        "motion": motion,
        "estate": motion.estate,
        "result": result,
        "scope": scope_text(motion),
        "rule": rule_text(motion),
        "rows": rows,
        "checks": checks,
        "quorum_met": bool(outcome.get("quorum_met")),
        "approved": bool(outcome.get("approved")),
        "choice_mode": is_choice(result),
        "options": option_rows(result),
        "adopted": adopted_option(result),
        "approval_words": _("同意门槛：参与表决面积%(area)s且参与表决人数%(owners)s")
        % {
            "area": threshold_words(services.motion_rule(motion).approval_area),
            "owners": threshold_words(services.motion_rule(motion).approval_owners),
        },
        "passed": result.passed,
        "page_url": page_url,
        "qr": qr_svg(page_url),
    }
    return render(request, "motions/notice.html", context)
