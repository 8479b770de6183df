# src/vsphere: filled by its issue (see ../shared/DESIGN.md).
