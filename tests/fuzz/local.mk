# tests/fuzz: filled by its issue.
