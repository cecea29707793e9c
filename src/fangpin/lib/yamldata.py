"""YAML as data only: PyYAML's safe loader (no tags, no object construction), with the line of every mapping
and sequence kept so that a validation error can name file and line."""
from __future__ import annotations

from pathlib import Path

import yaml


class CatalogError(ValueError):
    """A malformed catalog file: the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}{f' 第{line}行' if line else ''}：{message}")


class Node(dict):
    line: int | None = None


class NodeList(list):
    line: int | None = None


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader, node):
    loader.flatten_mapping(node)
    out = Node()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise CatalogError(loader.name, key_node.start_mark.line + 1, f"键“{key}”重复")
        out[key] = loader.construct_object(value_node, deep=True)
    out.lines = {k.value if hasattr(k, "value") else k: k.start_mark.line + 1 for k, _ in node.value}
    return out


def _sequence(loader, node):
    out = NodeList(loader.construct_object(n, deep=True) for n in node.value)
    out.line = node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load(path: Path) -> Node:
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    loader.name = str(path)
    try:
        data = loader.get_single_data()
    except CatalogError:
        raise
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise CatalogError(path, mark.line + 1 if mark else None, f"YAML 格式错误：{e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise CatalogError(path, None, f"YAML 格式错误：{e}") from None
    finally:
        loader.dispose()
    if not isinstance(data, Node):
        raise CatalogError(path, 1, "文件应为一个映射（键: 值）")
    return data


def line_of(node, key=None) -> int | None:
    if key is not None and isinstance(node, Node):
        return getattr(node, "lines", {}).get(key, node.line)
    return getattr(node, "line", None)
