# tests/lab: filled by its issue.
