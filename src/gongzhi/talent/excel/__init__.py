"""The talent pool's Excel workbooks (issue 7 item 7, issue 13): reading and checking an import and
writing the exports (services), the import as a queued job (imports; the task itself stays in
talent/tasks.py, whose dotted path the task queue keeps in its rows), their pages and URLs."""
