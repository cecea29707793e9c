"""Our pages as PDF (WeasyPrint), with no network access."""
import mimetypes
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcherResponse


class StaticFilesFetcher(weasyprint.URLFetcher):
    """Reads the page's stylesheets from the static files on disk and fetches nothing else. Fetching them over HTTP
    from this very server would make a gunicorn worker wait for another one (with a single worker, for itself, until
    the fetch times out), and the site's public https address need not be reachable from the server."""

    def fetch(self, url, headers=None):
        path = unquote(urlsplit(url).path)
        found = path.startswith(settings.STATIC_URL) and finders.find(path.removeprefix(settings.STATIC_URL))
        if not found:
            raise ValueError(f"not a static file of this site: {url}")
        with open(found, "rb") as f:
            body = f.read()
        return URLFetcherResponse(url, body, {"Content-Type": mimetypes.guess_type(found)[0] or "application/octet-stream"})


def from_html(html: str, base_url: str) -> bytes:
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=StaticFilesFetcher()).write_pdf()
