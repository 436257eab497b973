"""The event catalogue, generated from the code: every event type, its Chinese term and its fields."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from typing import Any

import domain
from domain.base import DomainEvent

BASE_FIELDS = set(DomainEvent.model_fields)


def event_classes() -> list[type[DomainEvent]]:
    """Every concrete event class in the domain package, by context then name."""
    found: dict[str, type[DomainEvent]] = {}
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, DomainEvent) and cls is not DomainEvent and not inspect.isabstract(cls):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return sorted(found.values(), key=lambda c: (c.context, c.__name__))


def _type_name(annotation: Any) -> str:
    text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])", "", text).replace("|", "\\|")


def render_events() -> str:
    lines = [
        "# Event catalogue",
        "",
        "Generated from the code by `zeren docs events`; do not edit by hand.",
        "",
        "Every event also carries `originator_id` (aggregate id), `originator_version`, `timestamp` (recorded time)",
        "and the `envelope` (docs/architecture.md §3): `effective_at`, `actor` {principal, role}, `jurisdiction`,",
        "`correlation_id`, `causation_id`, `command_id`, `basis`, `rules_version`.",
        "Fields marked *redacted* never leave the store (stream, feed, exports, audit trail).",
        "",
    ]
    context = None
    for cls in event_classes():
        if cls.context != context:
            context = cls.context
            lines += [f"## {context}", ""]
        doc = inspect.getdoc(cls) or ""
        lines += [f"### {cls.__name__} — {cls.term}", "", f"`{cls.__module__}` · schema v{cls.class_version}", "",
                  doc, "", "| field | type | |", "|---|---|---|"]
        for name, field in cls.model_fields.items():
            if name in BASE_FIELDS:
                continue
            note = "*redacted*" if name in cls.redacted else (field.description or "")
            lines.append(f"| `{name}` | {_type_name(field.annotation)} | {note} |")
        lines.append("")
    return "\n".join(lines)
