"""Model fields of our own."""
from __future__ import annotations

import json

from django.db import models


class JSONTextField(models.TextField):
    """A JSON document kept as text: for documents written once and shown, never queried inside. PostgreSQL's jsonb
    parses and converts every document on the way in (a fifth of writing a round's rows, docs/benchmarks.md); text
    is stored as given. Python sees the decoded value, as with JSONField."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))
