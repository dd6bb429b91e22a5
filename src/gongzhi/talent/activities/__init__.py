"""The talent pool's training activities and their feedback (issue 7 item 6): their services, forms,
views and URLs (models in talent/models/)."""
