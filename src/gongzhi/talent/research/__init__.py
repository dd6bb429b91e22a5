"""The talent pool's group research (课题研究, issue 7 item 5): projects with milestones, reports and
scores, and the round's summary meeting — its services, forms, views and URLs (models in
talent/models/research.py)."""
