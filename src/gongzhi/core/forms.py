"""A service's refusal, shown where the user made the choice it refuses.

Services raise the DomainError family (core.errors). A view that lets one through gets the branded
page for it (core.middleware.DomainErrorMiddleware: 404, 403, or 400 with the message). A view that
keeps the user's input on a form instead wraps the service call:

    with refusals_on(form, {"bad_quantity": "area_m2"}, other="name") as refused:
        services.space_create(actor=request.user, community=community, **form.cleaned_data)
    if not refused:
        return HttpResponseRedirect(...)
    return render(..., {"form": form}, status=400)

The error goes on the field its `code` names (`fields`), else on `other` (None: the form's non-field
errors), never by matching the message text. `refusals_flashed` puts it in a flash message instead,
`refusals_caught` only keeps it for the view. All three let AccessDeniedError through to the 403 page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.contrib import messages
from django.forms.forms import BaseForm
from django.http import HttpRequest

from gongzhi.core.errors import AccessDeniedError, DomainError

__all__ = ["Refusal", "refusals_caught", "refusals_flashed", "refusals_on"]


class Refusal:
    """What a `refusals_*` block caught: false while the service refused nothing."""

    __slots__ = ("error",)

    def __init__(self) -> None:
        self.error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""

    @property
    def code(self) -> str:
        return self.error.code if self.error is not None else ""


@contextmanager
def refusals_caught() -> Iterator[Refusal]:
    """Catch a DomainError raised in the block and keep it on the yielded Refusal; an
    AccessDeniedError goes on (403)."""
    refusal = Refusal()
    try:
        yield refusal
    except AccessDeniedError:
        raise
    except DomainError as exc:
        refusal.error = exc


@contextmanager
def refusals_on(
    form: BaseForm, fields: Mapping[str, str | None] | None = None, *, other: str | None = None
) -> Iterator[Refusal]:
    """Put a DomainError raised in the block on `form`: on the field `fields[code]`, else on `other`
    (None: the non-field errors). A field the form does not have falls back to the non-field errors."""
    with refusals_caught() as refusal:
        yield refusal
    if refusal.error is not None:
        field = (fields or {}).get(refusal.error.code, other)
        form.add_error(field if field in form.fields else None, refusal.error.message)


@contextmanager
def refusals_flashed(request: HttpRequest) -> Iterator[Refusal]:
    """Show a DomainError raised in the block as an error flash message (the view then redirects or
    re-renders as it would anyway)."""
    with refusals_caught() as refusal:
        yield refusal
    if refusal.error is not None:
        messages.error(request, refusal.error.message)
