"""Bounds on what one scan may be made to read and build, and where each is configured.

A pull request decides what the scan reads, so every cost an input controls has a ceiling:
the bytes of a file, the YAML nodes it expands to (alias bombs), its nesting depth, its
documents, and the resources of the whole scan. Each ceiling crossed is an input error on
the file and line where it happened (the scan goes on, and fails closed); each is set in the
`limits:` section of `.astra-guard.yaml` under the name of the field below.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from astra_guard.loaders.yaml_source import YamlLimits
from astra_guard.model import InputError, Resource, Skipped

if TYPE_CHECKING:
    from astra_guard.discovery import SourceFile


@dataclass(frozen=True)
class Limits:
    """The defaults fit any real repository: a manifest of megabytes is generated, not written."""

    max_file_bytes: int = 5 * 1024 * 1024
    max_yaml_nodes: int = 1_000_000  # nodes built from one YAML document, aliases expanded
    max_depth: int = 200  # nesting of YAML collections
    max_documents: int = 10_000  # YAML documents in one file
    max_resources: int = 50_000  # resources in one scan, across files
    max_hcl_bytes: int = 512 * 1024  # a Terraform file in HCL syntax: python-hcl2 takes about 20 s per MiB

    @classmethod
    def for_scan(cls, configured: dict[str, Any] | None, explicit: Limits | None = None,
                 max_file_bytes: int | None = None) -> Limits:
        """Explicit limits (library callers) win over the configuration's `limits:`, then the defaults."""
        known = {f.name for f in fields(cls)}
        limits = explicit or replace(cls(), **{k: int(v) for k, v in (configured or {}).items() if k in known})
        return limits if max_file_bytes is None else replace(limits, max_file_bytes=max_file_bytes)

    def yaml(self) -> YamlLimits:
        return YamlLimits(max_depth=self.max_depth, max_nodes=self.max_yaml_nodes, max_documents=self.max_documents)


def over_resources(resources: list[Resource], unread: list[SourceFile], limit: int) -> tuple[list[Resource], InputError, list[Skipped]]:
    """Past `limit` resources: the ones kept, an error at the first one dropped, and the files not read."""
    first = resources[limit]
    message = (f"more than {limit} resources in this scan (limits.max_resources): this one, the rest of "
               f"this file and {len(unread)} more file(s) are not evaluated")
    skipped = [Skipped(f.rel, 1, f"not read: the scan reached limits.max_resources ({limit})") for f in unread]
    return resources[:limit], InputError(first.file, first.locate(())[0].line, message), skipped
