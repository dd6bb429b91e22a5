"""Writes of owners' motions (DESIGN.md convention 1), by concern:

- `lifecycle`: create a draft, change its rule, open it (freeze the roll), cancel, close and
  publish the result;
- `casting`: ballots online, paper sheets keyed twice and their mismatches, proxy votes;
- `voter_access`: one-time codes and the voter sessions they open.

The reads they share (the rule of a motion, its valid choices, the apartments in scope, the
voter behind a link or a session, the sibling voters, the ballots digest) are in
`motions.selectors`; the names below are re-exported so that `gongzhi.motions.services.X` stays
the one place callers import the motions' services from (a read is equally importable from
the selectors).
"""

from __future__ import annotations

from gongzhi.motions.selectors import (
    ballots_digest,
    motion_rule,
    scope_apartments,
    sibling_voters,
    valid_choices,
    voter_for_link,
    voter_for_session,
    voter_for_session_hash,
)
from gongzhi.motions.services.casting import (
    PROXY_MAX_BYTES,
    PROXY_TYPES,
    CastResult,
    PaperResult,
    ballot_cast_online,
    paper_entry_add,
    paper_mismatch_resolve,
    paper_request,
    proxy_vote,
)
from gongzhi.motions.services.lifecycle import (
    motion_cancel,
    motion_close,
    motion_create,
    motion_open,
    motion_rule_change,
    motions_close_due,
    owner_key,
)
from gongzhi.motions.services.voter_access import (
    CODE_ATTEMPTS,
    CODE_RESEND_AFTER,
    CODE_TTL,
    CODES_PER_HOUR,
    SESSION_TTL,
    code_confirm,
    code_send,
    masked_phone,
    sibling_sessions_issue,
    voter_session_issue,
)

__all__ = [
    "CODES_PER_HOUR",
    "CODE_ATTEMPTS",
    "CODE_RESEND_AFTER",
    "CODE_TTL",
    "PROXY_MAX_BYTES",
    "PROXY_TYPES",
    "SESSION_TTL",
    "CastResult",
    "PaperResult",
    "ballot_cast_online",
    "ballots_digest",
    "code_confirm",
    "code_send",
    "masked_phone",
    "motion_cancel",
    "motion_close",
    "motion_create",
    "motion_open",
    "motion_rule",
    "motion_rule_change",
    "motions_close_due",
    "owner_key",
    "paper_entry_add",
    "paper_mismatch_resolve",
    "paper_request",
    "proxy_vote",
    "scope_apartments",
    "sibling_sessions_issue",
    "sibling_voters",
    "valid_choices",
    "voter_for_link",
    "voter_for_session",
    "voter_for_session_hash",
    "voter_session_issue",
]
