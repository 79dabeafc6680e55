"""The website, built by ``sutskever30 site`` and opened page by page in headless Chromium:
no console errors, no broken internal links, every image loaded, math rendered by the
vendored KaTeX, and the offline search finds "LSTM"."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.slow


def _require(ok: bool, reason: str) -> None:
    # CI installs everything the site needs (.ci/run): there, a missing piece is a failure
    if not ok:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    _require(shutil.which("npm") is not None, "the site vendors KaTeX with npm")
    mkdocs = pytest.importorskip("mkdocs") if not os.environ.get("CI") else __import__("mkdocs")
    assert mkdocs
    from sutskever30 import site

    return site.build(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def server(site_dir: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site_dir)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    _require(Path(CHROMIUM).exists(), "needs Debian's chromium (apt-get install -y chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()


def pages(site_dir: Path) -> list[str]:
    return sorted(
        str(p.relative_to(site_dir))
        for p in site_dir.rglob("*.html")
        if "assets" not in p.parts and p.name != "404.html"
    )


def test_every_page_loads_cleanly(site_dir, server, browser):
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # a request cut short by the next navigation (net::ERR_ABORTED) is not a failure
    page.on(
        "requestfailed",
        lambda r: (
            problems.append(f"request failed: {r.url} {r.failure}") if "ERR_ABORTED" not in (r.failure or "") else None
        ),
    )
    outside: set[str] = set()
    page.on("request", lambda r: outside.add(r.url) if not r.url.startswith(server) else None)
    with_math = 0
    for rel in pages(site_dir):
        url = urljoin(server, rel)
        page.goto(url, wait_until="load")
        before = len(problems)
        broken_images = page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        problems += [f"{rel}: image not loaded: {src}" for src in broken_images]
        for href in page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"):
            target, _ = urldefrag(href)
            if target.startswith(server):
                path = site_dir / urlparse(target).path.lstrip("/")
                if not (path.is_file() or (path / "index.html").is_file()):
                    problems.append(f"{rel}: broken link {href}")
        # math: KaTeX rendered what it found, and no $$...$$ is left as raw text outside code
        with_math += page.evaluate("document.querySelectorAll('.katex').length") > 0
        raw = page.evaluate(
            "Array.from(document.querySelectorAll('article p, article li'))"
            ".filter(e => !e.closest('pre, code') && /\\$\\$/.test(e.innerText)).length"
        )
        if raw:
            problems.append(f"{rel}: {raw} paragraph(s) with raw $$ math")
        if len(problems) > before:
            problems.append(f"  (on {rel})")
    assert not problems, "\n".join(problems[:40])
    assert not outside, f"requests to other hosts: {sorted(outside)[:5]}"
    assert with_math >= 5, f"math rendered on only {with_math} pages"


def test_home_lists_the_30_papers_and_the_search_finds_lstm(server, browser):
    page = browser.new_page()
    page.goto(urljoin(server, "index.html"))
    assert page.locator("article table tbody tr").count() == 30
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").fill("LSTM")
    page.wait_for_selector(".md-search-result__item", timeout=30_000)
    assert page.locator(".md-search-result__item").count() > 0
