"""The talent pool's people: pools, categories, cycles, organisations, cadres, memberships and
dossiers (issue 7 item 1) — their writes (services), reads (selectors), forms, views and URLs,
home and pool pages included (models in talent/models/)."""
