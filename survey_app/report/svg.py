"""Make a chart's SVG safe to embed inline in the report page and the PDF.

The SVG comes from code (matplotlib), but its labels come from the campaign (district
names, theme labels a coordinator typed). Rather than trusting every producer to
escape, the SVG is parsed and written again: text nodes are escaped by the writer,
elements outside a short list of drawing elements are dropped, as are event
attributes, external references and ``style`` attributes (turned into presentation
attributes, which a strict Content-Security-Policy allows). Identifiers get the chart's
prefix so that several charts on one page never share one.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

_ALLOWED = {"svg", "g", "path", "rect", "line", "polyline", "polygon", "circle", "ellipse",
            "text", "tspan", "defs", "clipPath", "pattern", "use", "title", "desc"}
_PRESENTATION = {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
                 "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
                 "stroke-miterlimit", "opacity", "font-size", "font-family", "font-weight",
                 "font-style", "text-anchor", "dominant-baseline", "clip-path", "clip-rule",
                 "letter-spacing", "white-space"}
_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>[]*(\[[^\]]*\])?>", re.S)
_URL_REF = re.compile(r"url\(#([^)]+)\)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _style_attributes(style: str) -> dict[str, str]:
    out = {}
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if not name or not value:
            continue
        if name == "font":
            # matplotlib writes "font: 10px 'DejaVu Sans'" (size, then family)
            match = re.match(r"((?:(?:italic|oblique|normal|bold|\d00)\s+)*)([\d.]+px)\s+(.+)", value)
            if match:
                for word in match.group(1).split():
                    out["font-style" if word in ("italic", "oblique") else "font-weight"] = word
                out["font-size"], out["font-family"] = match.group(2), match.group(3)
            continue
        if name in _PRESENTATION:
            out[name] = value
    return out


def _safe_value(value: str) -> bool:
    lowered = value.lower()
    return "javascript:" not in lowered and "expression(" not in lowered and "url(" not in \
        _URL_REF.sub("", lowered)


def clean_svg(svg: str, prefix: str | None, *, label: str = "") -> str:
    """Return ``svg`` rewritten safe for inline use, its ids prefixed with ``prefix``.

    ``prefix`` None keeps the ids (a producer that prefixed them already). ``label``
    becomes the ``<title>`` and ``aria-label`` of a picture that has no title yet.
    """
    root = ET.fromstring(_PROLOGUE.sub("", svg).strip())
    if _local(root.tag) != "svg":
        raise ValueError("not an SVG document")

    def rename(match: re.Match) -> str:
        return f"url(#{prefix}-{match.group(1)})"

    def walk(element: ET.Element) -> None:
        for child in list(element):
            if not isinstance(child.tag, str) or _local(child.tag) not in _ALLOWED:
                element.remove(child)
                continue
            walk(child)
        attributes = dict(element.attrib)
        element.attrib.clear()
        style = attributes.pop("style", "")
        for name, value in {**_style_attributes(style), **attributes}.items():
            local = _local(name)
            if local.lower().startswith("on") or not _safe_value(value):
                continue
            if local == "href":
                if not value.startswith("#"):
                    continue
                if prefix:
                    value = f"#{prefix}-{value[1:]}"
            elif local == "id":
                if prefix:
                    value = f"{prefix}-{value}"
            elif prefix:
                value = _URL_REF.sub(rename, value)
            element.set(name, value)

    walk(root)
    for text in root.iter():
        if text.tail:
            text.tail = text.tail.strip() or None
    root.set("role", "img")
    has_title = any(_local(child.tag) == "title" for child in root)
    if label and not has_title:
        root.set("aria-label", label)
        title = ET.Element(f"{{{SVG_NS}}}title")
        title.text = label
        root.insert(0, title)
    root.set("focusable", "false")
    root.set("class", "chart-svg")
    root.set("xmlns", SVG_NS)
    root.set("xmlns:xlink", XLINK_NS)
    return "".join(_serialise(root))


def _attribute_name(name: str) -> str:
    if name.startswith(f"{{{XLINK_NS}}}"):
        return "xlink:" + name.split("}", 1)[1]
    return _local(name)


def _serialise(element: ET.Element):
    """Write ``element`` as SVG markup, every text and attribute escaped.

    ElementTree's own writer takes its namespace prefixes from a registry shared by the
    whole process (other libraries register theirs); this one always writes the SVG
    namespace as the default and xlink as ``xlink:``.
    """
    tag = _local(element.tag)
    attributes = "".join(f" {_attribute_name(k)}={quoteattr(v)}" for k, v in element.attrib.items())
    children = list(element)
    if not children and not element.text:
        yield f"<{tag}{attributes}/>"
    else:
        yield f"<{tag}{attributes}>"
        if element.text:
            yield escape(element.text)
        for child in children:
            yield from _serialise(child)
        yield f"</{tag}>"
    if element.tail:
        yield escape(element.tail)
