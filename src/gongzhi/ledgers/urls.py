"""URLs of ledgers (ledgers.views): estates' public-revenue ledgers, their approval queue, statements
(printable and public), the annual export and the area roll-up."""

from __future__ import annotations

from django.urls import URLPattern, path

from gongzhi.ledgers import views

urlpatterns: list[URLPattern] = [
    path("ledgers/", views.ledger_list, name="ledger_list"),
    path("ledgers/estates/<int:estate_id>/open/", views.ledger_open, name="ledger_open"),
    path("ledgers/rollup/", views.ledger_rollup, name="ledger_rollup"),
    path("ledgers/<int:pk>/", views.ledger_detail, name="ledger_detail"),
    path("ledgers/<int:pk>/entries/new/<str:kind>/", views.entry_new, name="ledger_entry_new"),
    path("ledgers/<int:pk>/approvals/", views.approvals, name="ledger_approvals"),
    path("ledgers/<int:pk>/transfer/", views.transfer_create, name="ledger_transfer"),
    path("ledgers/<int:pk>/budgets/", views.budget_set, name="ledger_budget"),
    path("ledgers/<int:pk>/statements/", views.statement_create, name="ledger_statement_create"),
    path("ledgers/<int:pk>/export/<int:year>/", views.ledger_export, name="ledger_export"),
    path("ledgers/entries/<int:pk>/approve/", views.entry_approve, name="ledger_entry_approve"),
    path("ledgers/entries/<int:pk>/pay/", views.entry_pay, name="ledger_entry_pay"),
    path("ledgers/entries/<int:pk>/reverse/", views.entry_reverse, name="ledger_entry_reverse"),
    path("ledgers/vouchers/<int:pk>/", views.voucher_download, name="ledger_voucher"),
    path("ledgers/notices/<int:pk>/", views.statement_notice, name="ledger_statement_notice"),
    path("ledgers/statements/<uuid:public_id>/", views.statement_public, name="ledger_statement_public"),
    path(
        "ledgers/statements/<uuid:public_id>/vouchers/<int:pk>/",
        views.statement_voucher,
        name="ledger_statement_voucher",
    ),
]
