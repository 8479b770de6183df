# src/bootstrap: filled by its issue (see ../shared/DESIGN.md).
