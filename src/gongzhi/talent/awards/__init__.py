"""The talent pool's yearly awards (issue 7 item 4): nominations, the decision and the awardees —
their services, forms, views and URLs (models in talent/models/)."""
