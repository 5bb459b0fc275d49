"""The release checklist: items, attestations, and each item's status from the scan."""
