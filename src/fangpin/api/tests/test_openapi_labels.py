"""The API docs name every enumeration's codes by their Chinese labels."""
from django.test import Client

from fangpin.registry.choices import Category, MonitorType


def test_enumerations_carry_their_labels(world):
    c = Client()
    c.force_login(world.county)
    schemas = c.get("/api/openapi.json").json()["components"]["schemas"]
    for cls in (Category, MonitorType):
        component = schemas[cls.__name__]
        labels = dict(cls.choices)
        assert component["x-enum-descriptions"] == [labels[v] for v in component["enum"]]
        for value, label in cls.choices:
            assert f"{value}：{label}" in component["description"]
    assert "sudden_hardship：突发严重困难户" in schemas["MonitorType"]["description"]
    for name in ("Relation", "LaborCapacity", "SchoolStage"):
        assert "x-enum-descriptions" in schemas[name] and all(schemas[name]["x-enum-descriptions"])
