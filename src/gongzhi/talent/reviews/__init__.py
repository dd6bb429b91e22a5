"""The talent pool's nominations and reviews (推荐与考评, issue 7): nominating, the yearly re-ranking
review, proposing and confirming who enters and leaves — their services, forms, views and URLs
(models in talent/models/; the pure score and ranking rules stay in talent/scoring.py and
talent/ranking.py)."""
