"""The diagnostic report from one template: an HTML page and a PDF (WeasyPrint).

The PDF is made from the same HTML, with the fonts shipped in ``static/fonts`` and a
``url_fetcher`` that refuses every address outside the package's static folder: a
report never fetches anything from the network, even if a label contained a URL.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import current_app

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
REPORT_CSS = STATIC_DIR / "report.css"
TEMPLATE = "report/document.html"


class FetchRefused(ValueError):
    """An address the report may not fetch (outside the package's static folder)."""


def _checked_url(url: str) -> str:
    """``url`` if the report may read it: a file of the static folder, or inline ``data:``."""
    if url.startswith("data:image/svg+xml;base64,") or url.startswith("data:image/png;base64,"):
        return url
    return _checked_path(url).as_uri()


def _checked_path(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme != "file":
        raise FetchRefused(f"adresse refusée : {url[:80]}")
    path = Path(unquote(parsed.path)).resolve()
    if not path.is_relative_to(STATIC_DIR) or not path.is_file():
        raise FetchRefused(f"fichier refusé : {url[:80]}")
    return path


def static_only_fetcher():
    """A WeasyPrint URL fetcher that serves files of the static folder and refuses anything else.

    WeasyPrint 68 and later take an ``URLFetcher`` object, earlier versions a function.
    """
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 68
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args, **kwargs):
            return default_url_fetcher(_checked_url(url), *args, **kwargs)

        return fetch

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            return super().fetch(_checked_url(url), headers)

    return StaticOnly(allowed_protocols=("file", "data"), allow_redirects=False)


def render_html(data, *, variant: str = "standalone", stylesheet_url: str | None = None,
                back_url: str | None = None) -> str:
    """Render the report.

    ``variant``: ``"standalone"`` (the download: its CSS inside), ``"page"`` (the
    workspace view: CSS linked at ``stylesheet_url``, for a strict CSP) or ``"pdf"``
    (WeasyPrint adds the CSS itself).
    """
    from flask_babel import force_locale

    template = current_app.jinja_env.get_template(TEMPLATE)
    inline_css = REPORT_CSS.read_text(encoding="utf-8") if variant == "standalone" else None
    # the report is written in French, whatever the language of the page that asked for it
    with force_locale("fr"):
        return template.render(r=data, variant=variant, inline_css=inline_css, stylesheet_url=stylesheet_url,
                               back_url=back_url)


def render_pdf(data=None, *, html: str | None = None) -> bytes:
    """Render the PDF (tagged, PDF/UA-1 variant as far as WeasyPrint goes)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = html if html is not None else render_html(data, variant="pdf")
    fonts = FontConfiguration()
    fetcher = static_only_fetcher()
    stylesheet = CSS(filename=str(REPORT_CSS), url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1",
                              pdf_tags=True, custom_metadata=False)


def write_report(data, out: str | os.PathLike, *, progress=None) -> Path:
    """Write the report to ``out``: PDF when it ends in ``.pdf``, else standalone HTML."""
    target = Path(out)
    if target.suffix.lower() == ".pdf":
        if progress:
            progress(0.85, "Mise en page du PDF")
        target.write_bytes(render_pdf(data))
    else:
        target.write_text(render_html(data), encoding="utf-8")
    return target
