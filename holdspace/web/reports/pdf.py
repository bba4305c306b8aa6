"""HTML to PDF with WeasyPrint, fetching nothing from anywhere (no network, no files)."""

from __future__ import annotations

from pathlib import Path

REPORT_CSS = Path(__file__).parent / "static" / "reports" / "report.css"


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML, URLFetcher

    # Only inline data: URLs; the report's charts are inline SVG and need nothing else.
    fetcher = URLFetcher(allowed_protocols={"data"})
    css = CSS(string=REPORT_CSS.read_text(encoding="utf-8"), url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher, base_url="data:,")
    pdf: bytes = document.write_pdf(stylesheets=[css])
    return pdf
