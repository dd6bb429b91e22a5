"""The talent pool's required courses (四门必修课, issue 7 item 2): courses, sessions, attendance,
results, graduation and closing a cycle — their services, forms, views and URLs (models in
talent/models/courses.py; the completion rules in talent/completion.py, which reviews, the
workbook and the dossier read too)."""
