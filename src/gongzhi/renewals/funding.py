"""Subsidy rules as data, and the arithmetic of an entrance's funding plan. Pure Python.

No Django import (DESIGN.md, "Layout"): the renewals app stores each rule as the JSON spec that
`SubsidyRule.as_spec` writes and `rule_from_spec` reads back, and calls these functions with plain
values. See docs/funding.md.

Why rules are data: the subsidies for renewing old residential elevators change every year and
differ by city (issue 4, item 3). A new year's programme is a new row, not a new release.

Sources (as given in the programme brief, issue 4; no document numbers were given there, so none
are invented here):
* the central government's ultra-long-term special treasury bond programme (超长期特别国债) pays
  150,000 yuan per replaced elevator in 2024-2025, only where the investment exceeds 150,000 yuan;
  in 2026 it pays by the stops the elevator serves: up to 9 stops 100,000, 10-18 stops 150,000,
  19 or more 200,000;
* Hangzhou tops up 30% of the works cost, capped at 60,000 yuan for a replacement, 2024-2027;
* Ningbo tops up 50%, capped at 80,000 / 90,000 / 100,000 yuan for up to 12 / 13-18 / more than 18
  stops (the validity window below is assumed and must be checked against the city's document).

Boundaries follow the reading rule of Civil Code Art. 1259: "以上"/"以下"/"up to" include the number
itself, "超过"/"exceeds"/"more than" does not. So 9 stops is in the "up to 9" tier, 19 in "19 or
more", an investment of exactly 150,000.00 does not exceed 150,000, and a cap of 60,000 pays 60,000.

Stacking: subsidies are applied in the order given, each capped at what is still unfunded, so their
sum never exceeds the works cost. The order is central first, then the city's top-up: a city top-up
tops up what the central subsidy leaves (that is the order of `KNOWN_RULES`).

Money is Decimal yuan, exact to the fen (0.01), never float. A share (rate × cost) that falls between
two fen is rounded DOWN to the fen: a subsidy "of 30%" never pays more than 30%; the fen left over
stays with the owners.

User-visible text is Chinese. So that the web layer can translate it without this module importing
Django, every message is kept as a msgid marked with `gettext_noop` (which `makemessages` extracts)
plus its parameters: `Message.render(gettext)` gives the translated text, and `str()` the Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Context, Decimal, InvalidOperation, Overflow
from typing import Any, ClassVar, Final, Literal

from gongzhi.core.money import FEN, format_yuan

KINDS: Final = ("replacement", "addition")
Kind = Literal["replacement", "addition"]

_ZERO: Final = Decimal("0.00")
# Money above this is a typo (a whole city's programme is far below 10^12 yuan); the bound keeps
# 1E+999999 from exhausting memory and lets _EXACT hold every product exactly.
_MONEY_LIMIT: Final = Decimal(10) ** 12
_MAX_ELEVATORS: Final = 10_000
_MAX_STOPS: Final = 500
# Private arithmetic context: exact for every product of bounded operands, whatever the caller's
# thread context says; anything inexact traps instead of rounding silently.
_EXACT: Final = Context(prec=50, traps=[InvalidOperation, Overflow])
_SLUG: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def gettext_noop(message: str) -> str:
    """Mark a msgid for `makemessages` without translating it here (the caller translates)."""
    return message


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class Message:
    """A user-visible text kept as its msgid and parameters, so the caller can translate it."""

    msgid: str
    params: tuple[tuple[str, str | Message], ...] = ()

    def render(self, gettext: Callable[[str], str] = _identity) -> str:
        """The text in the language of `gettext` (Chinese without it); nested messages too."""
        text = gettext(self.msgid)
        if not self.params:
            return text
        return text % {
            key: value.render(gettext) if isinstance(value, Message) else value for key, value in self.params
        }

    def __str__(self) -> str:
        return self.render()


def _msg(msgid: str, **params: object) -> Message:
    return Message(
        msgid, tuple((key, value if isinstance(value, Message) else str(value)) for key, value in params.items())
    )


class FundingInputError(ValueError):
    """Bad input to a rule, a job or a plan. `str()` is the Chinese message; `message` keeps the
    msgid and parameters for the web layer to translate into its own DomainError."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def _fail(msgid: str, **params: object) -> FundingInputError:
    return FundingInputError(_msg(msgid, **params))


# --------------------------------------------------------------------------------------------
# Exact numbers


def _money(value: object, what: str) -> Decimal:
    """An amount in yuan, exact to the fen and not negative, as a Decimal with two places.

    Accepts Decimal and int (not float, which cannot say 0.10 exactly, and not bool)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise _fail("%(what)s必须是 Decimal 金额（元），不能是 %(type)s", what=Message(what), type=type(value).__name__)
    amount = Decimal(value)
    if not amount.is_finite():
        raise _fail("%(what)s必须是有限的金额：%(value)s", what=Message(what), value=value)
    if amount < 0:
        raise _fail("%(what)s不能为负数：%(value)s", what=Message(what), value=value)
    if amount >= _MONEY_LIMIT:
        raise _fail("%(what)s过大：%(value)s", what=Message(what), value=value)
    on_grid = amount.quantize(FEN, context=_EXACT)
    if on_grid != amount:  # exact comparison: a third decimal would have been rounded away
        raise _fail("%(what)s必须精确到分：%(value)s", what=Message(what), value=value)
    return on_grid


def _count(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(
            "%(what)s必须是 %(low)s 到 %(high)s 之间的整数：%(value)s",
            what=Message(what),
            low=low,
            high=high,
            value=value,
        )
    return value


def _times(amount: Decimal, count: int) -> Decimal:
    return _EXACT.multiply(amount, Decimal(count)).quantize(FEN, context=_EXACT)


def _percent(rate: Decimal) -> str:
    """0.3 → "30%", 0.125 → "12.5%"."""
    return f"{_EXACT.multiply(rate, Decimal(100)).normalize(_EXACT):f}%"


def _date(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _fail("%(what)s必须是日期：%(value)s", what=Message(what), value=value)
    return value


# --------------------------------------------------------------------------------------------
# The job a subsidy is judged on


@dataclass(frozen=True)
class SubsidyJob:
    """The renewal of one entrance's elevators, as a subsidy rule sees it.

    `works_cost` is per elevator (the chosen offer's price for one elevator, yuan, exact to the fen);
    all the entrance's elevators are taken to serve the same number of `stops`. `on` is the date the
    rule is judged at (the contract or approval date, as the programme's document says), `city` the
    city the entrance is in (e.g. "杭州市"), matched exactly against a rule's `region`.
    """

    elevators: int
    stops: int
    works_cost: Decimal
    on: dt.date
    city: str | None = None
    kind: Kind = "replacement"

    def __post_init__(self) -> None:
        _count(self.elevators, gettext_noop("电梯台数"), 1, _MAX_ELEVATORS)
        _count(self.stops, gettext_noop("层站数"), 2, _MAX_STOPS)
        object.__setattr__(self, "works_cost", _money(self.works_cost, gettext_noop("每台工程费")))
        _date(self.on, gettext_noop("判定日期"))
        if self.kind not in KINDS:
            raise _fail("未知的工程类型：%(kind)s", kind=self.kind)
        if self.city is not None and not isinstance(self.city, str):
            raise _fail("城市必须是文字：%(city)s", city=self.city)

    @property
    def total_cost(self) -> Decimal:
        """Works cost of all the entrance's elevators."""
        return _times(self.works_cost, self.elevators)


# --------------------------------------------------------------------------------------------
# Rules

Tier = tuple[int | None, Decimal]


def _tiers(value: object, what: str) -> tuple[Tier, ...]:
    """Tiers by stops: ((max_stops, amount), ..., (None, amount)), max_stops strictly increasing and
    inclusive ("up to 9"), the last one None ("or more")."""
    if not isinstance(value, list | tuple) or not value:
        raise _fail("%(what)s必须是非空的分档列表", what=Message(what))
    tiers: list[Tier] = []
    previous = 0
    for index, tier in enumerate(value):
        if not isinstance(tier, list | tuple) or len(tier) != 2:
            raise _fail("%(what)s第 %(n)s 档必须是 [最高层站数, 金额]", what=Message(what), n=index + 1)
        max_stops, amount = tier
        last = index == len(value) - 1
        if max_stops is None:
            if not last:
                raise _fail("%(what)s只有最后一档可以不设上限", what=Message(what))
        else:
            _count(max_stops, what, previous + 1, _MAX_STOPS)
            if last:
                raise _fail("%(what)s的最后一档必须不设上限（“及以上”）", what=Message(what))
            previous = max_stops
        tiers.append((max_stops, _money(amount, what)))
    return tuple(tiers)


def _tier_for(tiers: Sequence[Tier], stops: int) -> tuple[int, Tier]:
    """The first tier whose max_stops is at least `stops` (inclusive), and its lower bound."""
    low = 1
    for max_stops, amount in tiers:
        if max_stops is None or stops <= max_stops:
            return low, (max_stops, amount)
        low = max_stops + 1
    raise AssertionError("the last tier has no upper bound")  # pragma: no cover - _tiers ensures it


def _tier_label(low: int, max_stops: int | None) -> Message:
    if max_stops is None:
        return _msg("%(low)s 层站及以上", low=low)
    if low <= 1:
        return _msg("%(high)s 层站及以下", high=max_stops)
    return _msg("%(low)s–%(high)s 层站", low=low, high=max_stops)


@dataclass(frozen=True, kw_only=True)
class SubsidyRule:
    """What every subsidy rule has: who pays it, on what document, when, for what and where.

    `valid_from` and `valid_to` are inclusive; `valid_to=None` means "until further notice".
    `region=None` is a national rule; otherwise the rule applies only to jobs whose `city` equals
    it. `applies_to` is the kind of works: only "replacement" rules are shipped now.
    """

    kind: ClassVar[str]

    code: str
    name: str
    authority: str
    source: str
    valid_from: dt.date
    valid_to: dt.date | None
    applies_to: Kind = "replacement"
    region: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _SLUG.fullmatch(self.code):
            raise _fail("补助规则代码必须是小写字母、数字和连字符：%(code)s", code=self.code)
        for what, text in (("name", self.name), ("authority", self.authority), ("source", self.source)):
            if not isinstance(text, str) or not text.strip():
                raise _fail("补助规则 %(code)s 缺少 %(what)s", code=self.code, what=Message(what))
        _date(self.valid_from, gettext_noop("生效日期"))
        if self.valid_to is not None and _date(self.valid_to, gettext_noop("失效日期")) < self.valid_from:
            raise _fail("补助规则 %(code)s 的失效日期早于生效日期", code=self.code)
        if self.applies_to not in KINDS:
            raise _fail("未知的工程类型：%(kind)s", kind=self.applies_to)
        if self.region is not None and (not isinstance(self.region, str) or not self.region.strip()):
            raise _fail("补助规则 %(code)s 的地区必须是城市名或留空", code=self.code)

    # -- judging

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def applies(self, job: SubsidyJob) -> bool:
        """Whether the rule pays anything for the job: kind, region and date, then the rule's own
        condition (`_eligible`)."""
        return (
            job.kind == self.applies_to
            and (self.region is None or self.region == job.city)
            and self.in_force(job.on)
            and self._eligible(job)
        )

    def amount(self, job: SubsidyJob) -> Decimal:
        """What the rule pays for all the job's elevators (0.00 where it does not apply)."""
        return self.explain(job)[0]

    def explain(self, job: SubsidyJob) -> tuple[Decimal, tuple[Message, ...]]:
        """The amount for all elevators, and how it was computed (Chinese messages)."""
        if not self.applies(job):
            return _ZERO, (_msg("不适用"),)
        per_elevator, parts = self._per_elevator(job)
        total = _times(per_elevator, job.elevators)
        parts += (
            _msg(
                "每台 %(each)s 元 × %(n)s 台 = %(total)s 元",
                each=format_yuan(per_elevator),
                n=job.elevators,
                total=format_yuan(total),
            ),
        )
        return total, parts

    def _eligible(self, job: SubsidyJob) -> bool:
        return True

    def _per_elevator(self, job: SubsidyJob) -> tuple[Decimal, tuple[Message, ...]]:
        raise NotImplementedError

    # -- the stored form

    def as_spec(self) -> dict[str, Any]:
        """The rule as JSON-ready data (amounts as strings, dates ISO); `rule_from_spec` reads it."""
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "authority": self.authority,
            "source": self.source,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "applies_to": self.applies_to,
            "region": self.region,
            **self._own_spec(),
        }

    def _own_spec(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class FixedPerElevator(SubsidyRule):
    """A fixed `amount` per elevator, paid only where the works cost per elevator EXCEEDS
    `min_investment` if that is set (strictly greater: "超过", Civil Code Art. 1259)."""

    kind: ClassVar[str] = "fixed_per_elevator"

    amount_each: Decimal
    min_investment: Decimal | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "amount_each", _money(self.amount_each, gettext_noop("每台补助额")))
        if self.min_investment is not None:
            object.__setattr__(self, "min_investment", _money(self.min_investment, gettext_noop("最低投资额")))

    def _eligible(self, job: SubsidyJob) -> bool:
        return self.min_investment is None or job.works_cost > self.min_investment

    def _per_elevator(self, job: SubsidyJob) -> tuple[Decimal, tuple[Message, ...]]:
        if self.min_investment is None:
            return self.amount_each, ()
        return self.amount_each, (
            _msg(
                "每台工程费 %(cost)s 元超过 %(minimum)s 元",
                cost=format_yuan(job.works_cost),
                minimum=format_yuan(self.min_investment),
            ),
        )

    def _own_spec(self) -> dict[str, Any]:
        return {
            "amount": str(self.amount_each),
            "min_investment": None if self.min_investment is None else str(self.min_investment),
        }


@dataclass(frozen=True, kw_only=True)
class TieredByStops(SubsidyRule):
    """An amount per elevator by the stops it serves. `tiers` is ((max_stops, amount), ...,
    (None, amount)): a tier covers the stops above the previous tier's max up to and including its
    own max ("up to 9" includes 9); the last tier, None, is "or more"."""

    kind: ClassVar[str] = "tiered_by_stops"

    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "tiers", _tiers(self.tiers, gettext_noop("按层站分档")))

    def _per_elevator(self, job: SubsidyJob) -> tuple[Decimal, tuple[Message, ...]]:
        low, (max_stops, amount) = _tier_for(self.tiers, job.stops)
        label = _tier_label(low, max_stops)
        return amount, (_msg("服务 %(stops)s 层站，属于“%(tier)s”档", stops=job.stops, tier=label),)

    def _own_spec(self) -> dict[str, Any]:
        return {"tiers": [[max_stops, str(amount)] for max_stops, amount in self.tiers]}


@dataclass(frozen=True, kw_only=True)
class ShareWithCap(SubsidyRule):
    """`rate` × works cost per elevator (rounded down to the fen), capped per elevator at `cap`:
    either one amount, or tiers by stops like `TieredByStops`. The cap is inclusive: a share equal to
    the cap is paid in full."""

    kind: ClassVar[str] = "share_with_cap"

    rate: Decimal
    cap: Decimal | tuple[Tier, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        rate = self.rate
        if isinstance(rate, bool) or not isinstance(rate, Decimal) or not rate.is_finite() or not 0 < rate <= 1:
            raise _fail("补助比例必须是 0 到 1 之间的 Decimal（不含 0）：%(rate)s", rate=rate)
        if isinstance(self.cap, list | tuple):
            object.__setattr__(self, "cap", _tiers(self.cap, gettext_noop("按层站分档的补助上限")))
        else:
            object.__setattr__(self, "cap", _money(self.cap, gettext_noop("补助上限")))

    def cap_for(self, stops: int) -> tuple[Decimal, Message | None]:
        """The cap per elevator for an elevator serving `stops`, and the tier it came from."""
        if isinstance(self.cap, Decimal):
            return self.cap, None
        low, (max_stops, amount) = _tier_for(self.cap, stops)
        return amount, _tier_label(low, max_stops)

    def _per_elevator(self, job: SubsidyJob) -> tuple[Decimal, tuple[Message, ...]]:
        share = _EXACT.multiply(self.rate, job.works_cost).quantize(FEN, rounding=ROUND_DOWN, context=_EXACT)
        cap, tier = self.cap_for(job.stops)
        parts: tuple[Message, ...] = (
            _msg(
                "每台工程费 %(cost)s 元 × %(rate)s = %(share)s 元",
                cost=format_yuan(job.works_cost),
                rate=_percent(self.rate),
                share=format_yuan(share),
            ),
        )
        if tier is not None:
            parts += (_msg("服务 %(stops)s 层站，属于“%(tier)s”档", stops=job.stops, tier=tier),)
        if share > cap:
            return cap, (*parts, _msg("超过上限 %(cap)s 元，按上限计", cap=format_yuan(cap)))
        return share, (*parts, _msg("未超过上限 %(cap)s 元", cap=format_yuan(cap)))

    def _own_spec(self) -> dict[str, Any]:
        cap: object
        if isinstance(self.cap, Decimal):
            cap = str(self.cap)
        else:
            cap = [[max_stops, str(amount)] for max_stops, amount in self.cap]
        return {"rate": str(self.rate), "cap": cap}


_RULE_KINDS: Final[dict[str, type[SubsidyRule]]] = {
    FixedPerElevator.kind: FixedPerElevator,
    TieredByStops.kind: TieredByStops,
    ShareWithCap.kind: ShareWithCap,
}
_COMMON_KEYS: Final = frozenset(
    {"kind", "code", "name", "authority", "source", "valid_from", "valid_to", "applies_to", "region"}
)
_OWN_KEYS: Final = {
    "fixed_per_elevator": frozenset({"amount", "min_investment"}),
    "tiered_by_stops": frozenset({"tiers"}),
    "share_with_cap": frozenset({"rate", "cap"}),
}


def _spec_decimal(value: object, what: str) -> Decimal:
    """A number in a spec: a string (as `as_spec` writes) or an int; never a float."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            raise _fail("%(what)s不是数字：%(value)s", what=Message(what), value=value) from None
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise _fail("%(what)s必须写成字符串形式的数字：%(value)s", what=Message(what), value=value)


def _spec_tiers(value: object, what: str) -> tuple[Tier, ...]:
    if not isinstance(value, list | tuple):
        raise _fail("%(what)s必须是分档列表", what=Message(what))
    tiers: list[Tier] = []
    for tier in value:
        if not isinstance(tier, list | tuple) or len(tier) != 2:
            raise _fail("%(what)s的每一档必须是 [最高层站数, 金额]", what=Message(what))
        tiers.append((tier[0], _spec_decimal(tier[1], what)))
    return tuple(tiers)


def _spec_date(value: object, what: str) -> dt.date:
    if not isinstance(value, str):
        raise _fail("%(what)s必须是 YYYY-MM-DD 格式的日期：%(value)s", what=Message(what), value=value)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail("%(what)s必须是 YYYY-MM-DD 格式的日期：%(value)s", what=Message(what), value=value) from None


def rule_from_spec(spec: Mapping[str, Any]) -> SubsidyRule:
    """Read a rule back from its stored spec (see `SubsidyRule.as_spec`). Unknown keys are refused,
    so a typo in a stored rule is found when it is loaded, not when it silently pays nothing."""
    if not isinstance(spec, Mapping):
        raise _fail("补助规则必须是 JSON 对象")
    kind = spec.get("kind")
    if kind not in _RULE_KINDS:
        raise _fail("未知的补助规则类型：%(kind)s", kind=kind)
    allowed = _COMMON_KEYS | _OWN_KEYS[kind]
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise _fail("补助规则有未知字段：%(keys)s", keys=", ".join(map(str, unknown)))
    missing = sorted(key for key in ("code", "name", "authority", "source", "valid_from") if key not in spec)
    if missing:
        raise _fail("补助规则缺少字段：%(keys)s", keys=", ".join(missing))
    valid_to = spec.get("valid_to")
    common: dict[str, Any] = {
        "code": spec["code"],
        "name": spec["name"],
        "authority": spec["authority"],
        "source": spec["source"],
        "valid_from": _spec_date(spec["valid_from"], "valid_from"),
        "valid_to": None if valid_to is None else _spec_date(valid_to, "valid_to"),
        "applies_to": spec.get("applies_to", "replacement"),
        "region": spec.get("region"),
    }
    if kind == FixedPerElevator.kind:
        if "amount" not in spec:
            raise _fail("补助规则缺少字段：%(keys)s", keys="amount")
        minimum = spec.get("min_investment")
        return FixedPerElevator(
            **common,
            amount_each=_spec_decimal(spec["amount"], "amount"),
            min_investment=None if minimum is None else _spec_decimal(minimum, "min_investment"),
        )
    if kind == TieredByStops.kind:
        return TieredByStops(**common, tiers=_spec_tiers(spec.get("tiers"), "tiers"))
    if "rate" not in spec or "cap" not in spec:
        raise _fail("补助规则缺少字段：%(keys)s", keys="rate, cap")
    cap = spec["cap"]
    return ShareWithCap(
        **common,
        rate=_spec_decimal(spec["rate"], "rate"),
        cap=_spec_tiers(cap, "cap") if isinstance(cap, list | tuple) else _spec_decimal(cap, "cap"),
    )


# --------------------------------------------------------------------------------------------
# Subsidies for a job


@dataclass(frozen=True)
class SubsidyLine:
    """One rule's subsidy for a job: `amount` is what it pays after stacking (never more than was
    still unfunded), `computed` what the rule alone would pay; `explanation` says how."""

    code: str
    name: str
    authority: str
    source: str
    amount: Decimal
    computed: Decimal
    explanation_parts: tuple[Message, ...] = field(default=())

    @property
    def capped(self) -> bool:
        return self.amount < self.computed

    def explain(self, gettext: Callable[[str], str] = _identity) -> str:
        return gettext(gettext_noop("；")).join(part.render(gettext) for part in self.explanation_parts)

    @property
    def explanation(self) -> str:
        """How the amount was computed, in Chinese."""
        return self.explain()


def subsidies_for(job: SubsidyJob, rules: Sequence[SubsidyRule]) -> list[SubsidyLine]:
    """Each applicable rule's subsidy for all the job's elevators, in the order of `rules`.

    Rules out of their validity window, of another region or of another kind of works are skipped.
    Each subsidy is capped at what is still unfunded after the ones before it, so the sum never
    exceeds the works cost. Pass the central rules first, then the city's: a city top-up tops up
    what the central subsidy leaves (`KNOWN_RULES` is in that order).
    """
    seen: set[str] = set()
    for rule in rules:
        if rule.code in seen:  # the same rule twice would pay twice
            raise _fail("补助规则 %(code)s 重复出现", code=rule.code)
        seen.add(rule.code)
    remaining = job.total_cost
    lines: list[SubsidyLine] = []
    for rule in rules:
        if not rule.applies(job):
            continue
        computed, parts = rule.explain(job)
        granted = min(computed, remaining)
        if remaining == 0:
            parts += (_msg("工程费已全部由前面的补助覆盖，本项按 0.00 元计"),)
        elif granted < computed:
            parts += (_msg("超过尚未筹措的 %(left)s 元，按 %(left)s 元计", left=format_yuan(remaining)),)
        remaining -= granted
        lines.append(
            SubsidyLine(
                code=rule.code,
                name=rule.name,
                authority=rule.authority,
                source=rule.source,
                amount=granted,
                computed=computed,
                explanation_parts=parts,
            )
        )
    return lines


# --------------------------------------------------------------------------------------------
# The funding plan

Source = Literal["subsidy", "maintenance_fund", "public_revenue", "owners"]


@dataclass(frozen=True)
class PlanLine:
    """One source of money in a plan: a subsidy (with its rule's code), the maintenance fund, the
    estate's public revenue, or what the owners pay themselves."""

    source: Source
    label: str
    amount: Decimal
    code: str | None = None


@dataclass(frozen=True)
class PlanResult:
    """A balanced plan: the lines add up exactly to `total_cost`, the last line being the owners'."""

    total_cost: Decimal
    lines: tuple[PlanLine, ...]
    subsidies: Decimal
    maintenance_fund: Decimal
    public_revenue: Decimal
    owners_remaining: Decimal


@dataclass(frozen=True)
class FundingInputs:
    """The inputs of an entrance's funding plan (renewals.models.FundingPlan stores the balanced plan).

    `maintenance_fund` is the amount of the entrance's fund the plan uses (the caller checks it is
    no more than the balance); `public_revenue` the allocation from the estate's public revenue.
    Using the fund is an ordinary matter of Civil Code Art. 278(1)(5); what remains is raised from
    the owners (a special matter, Art. 278(1)(6)) and apportioned by `apportionment.py`.
    """

    total_cost: Decimal
    subsidies: Sequence[SubsidyLine]
    maintenance_fund: Decimal = _ZERO
    public_revenue: Decimal = _ZERO

    @classmethod
    def for_job(
        cls,
        job: SubsidyJob,
        rules: Sequence[SubsidyRule],
        *,
        maintenance_fund: Decimal = _ZERO,
        public_revenue: Decimal = _ZERO,
    ) -> FundingInputs:
        return cls(
            total_cost=job.total_cost,
            subsidies=subsidies_for(job, rules),
            maintenance_fund=maintenance_fund,
            public_revenue=public_revenue,
        )


def funding_plan(plan: FundingInputs) -> PlanResult:
    """Balance the plan: what the subsidies, the fund and the public revenue leave, the owners pay.

    A plan must balance exactly, so sources that together exceed the cost are refused (not
    clamped), with a message naming the excess: the caller decides which source to reduce.
    """
    total = _money(plan.total_cost, gettext_noop("工程总价"))
    fund = _money(plan.maintenance_fund, gettext_noop("维修资金使用额"))
    revenue = _money(plan.public_revenue, gettext_noop("公共收益使用额"))
    lines: list[PlanLine] = []
    subsidies = _ZERO
    for line in plan.subsidies:
        amount = _money(line.amount, gettext_noop("补助金额"))
        subsidies += amount
        lines.append(PlanLine("subsidy", line.name, amount, line.code))
    if subsidies > total:
        raise _fail(
            "补助合计 %(sum)s 元超过工程总价 %(total)s 元，超出 %(excess)s 元",
            sum=format_yuan(subsidies),
            total=format_yuan(total),
            excess=format_yuan(subsidies - total),
        )
    sources = subsidies + fund + revenue
    if sources > total:
        raise _fail(
            "补助、维修资金和公共收益合计 %(sum)s 元，超过工程总价 %(total)s 元 %(excess)s 元；"
            "请减少维修资金或公共收益的使用额，使资金方案恰好平衡",
            sum=format_yuan(sources),
            total=format_yuan(total),
            excess=format_yuan(sources - total),
        )
    owners = total - sources
    lines += [
        PlanLine("maintenance_fund", gettext_noop("维修资金"), fund),
        PlanLine("public_revenue", gettext_noop("公共收益"), revenue),
        PlanLine("owners", gettext_noop("业主自筹"), owners),
    ]
    return PlanResult(
        total_cost=total,
        lines=tuple(lines),
        subsidies=subsidies,
        maintenance_fund=fund,
        public_revenue=revenue,
        owners_remaining=owners,
    )


# --------------------------------------------------------------------------------------------
# The rules the programme brief names

_BRIEF: Final = "per the programme brief (issue 4)"

KNOWN_RULES: Final[tuple[SubsidyRule, ...]] = (
    FixedPerElevator(
        code="central-bond-2024-2025",
        name=gettext_noop("中央超长期特别国债老旧电梯更新补助（2024–2025 年）"),
        authority="中央",
        source=f"超长期特别国债支持老旧住宅电梯更新：每台 15 万元，投资超过 15 万元方可补助；{_BRIEF}",
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2025, 12, 31),
        amount_each=Decimal("150000.00"),
        min_investment=Decimal("150000.00"),
    ),
    TieredByStops(
        code="central-bond-2026",
        name=gettext_noop("中央超长期特别国债老旧电梯更新补助（2026 年，按层站分档）"),
        authority="中央",
        source=(
            "超长期特别国债支持老旧住宅电梯更新（2026 年）：9 层站及以下每台 10 万元，10–18 层站 15 万元，"
            f"19 层站及以上 20 万元；{_BRIEF}"
        ),
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        tiers=(
            (9, Decimal("100000.00")),
            (18, Decimal("150000.00")),
            (None, Decimal("200000.00")),
        ),
    ),
    ShareWithCap(
        code="hangzhou-top-up-2024-2027",
        name=gettext_noop("杭州市老旧电梯更新市级补助"),
        authority="杭州市",
        source=f"杭州市老旧电梯更新补助：工程费用的 30%，更新每台最高 6 万元，2024–2027 年；{_BRIEF}",
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2027, 12, 31),
        region="杭州市",
        rate=Decimal("0.30"),
        cap=Decimal("60000.00"),
    ),
    ShareWithCap(
        code="ningbo-top-up",
        name=gettext_noop("宁波市老旧电梯更新市级补助"),
        authority="宁波市",
        source=(
            "宁波市老旧电梯更新补助：工程费用的 50%，12 层站及以下每台最高 8 万元，13–18 层站 9 万元，"
            f"18 层站以上 10 万元；{_BRIEF}。有效期 2024-01-01 至 2027-12-31 为假定，"
            "应以宁波市正式文件核对（the validity window must be checked against the city's document）"
        ),
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2027, 12, 31),
        region="宁波市",
        rate=Decimal("0.50"),
        cap=(
            (12, Decimal("80000.00")),
            (18, Decimal("90000.00")),
            (None, Decimal("100000.00")),
        ),
    ),
)
