# src/ui: filled by its issue (see ../shared/DESIGN.md).
