"""Parse and evaluate Dentrix Ascend `filter=` expressions (other-pms-facts §1.4).

`field op value` clauses joined by commas, all of which must hold. Dotted paths
reach into reference objects (`patient.id`); values are unquoted; timestamps are
ISO-8601 UTC (`2016-04-20T01:14:04.737Z`) or a bare date (`2021-05-01`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

# Operators seen in public code: == != >= < ~= (§1.4); > and <= are assumed.
_CLAUSE = re.compile(
    r"^(?P<path>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)"
    r"(?P<op>==|!=|>=|<=|~=|>|<)(?P<value>.*)$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?Z?$")


class FilterError(ValueError):
    """The expression does not parse, or a value does not fit its field."""


@dataclass(frozen=True)
class Clause:
    path: tuple[str, ...]
    op: str
    value: str

    def holds(self, record: dict[str, Any]) -> bool:
        """Return whether `record` (in wire shape) satisfies this clause."""
        actual = _lookup(record, self.path)
        if self.op == "~=":
            return self.value.lower() in _text(actual).lower()
        if actual is None:
            return self.op == "!=" if self.value else self.op == "=="
        left, right = _comparable(actual, self.value)
        return _OPS[self.op](left, right)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def parse_filter(expression: str) -> list[Clause]:
    """Return the clauses of `expression` (400-worthy FilterError if malformed)."""
    clauses = []
    for part in expression.split(","):
        if not part.strip():
            continue
        match = _CLAUSE.match(part.strip())
        if not match:
            raise FilterError(f"Invalid filter clause: {part!r}")
        path = tuple(match["path"].split("."))
        clauses.append(Clause(path, match["op"], match["value"].strip()))
    return clauses


def matches(record: dict[str, Any], clauses: list[Clause]) -> bool:
    """Return whether every clause holds for `record` (clauses are ANDed)."""
    return all(clause.holds(record) for clause in clauses)


def parse_instant(value: str) -> datetime:
    """Return the UTC instant of an ISO timestamp or a bare date (midnight UTC)."""
    if _DATE.match(value):
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    if not _TIMESTAMP.match(value):
        raise FilterError(f"Invalid timestamp: {value!r}")
    parsed = datetime.fromisoformat(value.removesuffix("Z"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _lookup(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(item) for item in value)
    return "" if value is None else str(value)


def _comparable(actual: Any, raw: str) -> tuple[Any, Any]:
    """Coerce both sides to one type: instants, numbers, booleans or text."""
    if isinstance(actual, bool):
        return actual, raw.lower() == "true"
    if isinstance(actual, int | float):
        return actual, _number(raw)
    text = str(actual)
    if _TIMESTAMP.match(text) or _DATE.match(text):
        if _DATE.match(text) and _DATE.match(raw):
            return text, raw
        return parse_instant(text), parse_instant(raw)
    if text.isdigit() and raw.isdigit():
        return int(text), int(raw)  # entity ids are digit strings (§1.3)
    return text, raw


def _number(raw: str) -> float:
    try:
        return float(raw)
    except ValueError as error:
        raise FilterError(f"Not a number: {raw!r}") from error
