# src/engine: filled by its issue (see ../shared/DESIGN.md).
