"""The report in a real browser: headless Chromium (Debian's, via playwright's executable_path).

Outside CI the test is skipped when Chromium or playwright is missing; in CI (``CI`` set,
``.ci/run`` installs Chromium) it fails instead, so a broken install cannot pass silently.
A browser is never downloaded at run time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sgverify import figures, session

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
#: fast claims; fig4c is one gradient evaluation at one point, the cheapest paper figure
PATTERNS = ["escape.*", "single-neuron.*"]
FIGURE = "fig4c"

pytestmark = pytest.mark.browser


def _need_browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = ("playwright is not installed" if sync_playwright is None else
               None if shutil.which(CHROMIUM) else f"{CHROMIUM} is missing")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser test needs Chromium and playwright in CI: {missing}")
        pytest.skip(f"{missing} (install: apt-get install chromium; pip install -e '.[test]')")
    return sync_playwright


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    names = [FIGURE] if FIGURE in figures.available() else []
    s = session.execute(session.plan(PATTERNS, "dev", figures=names),  # audit: test_report.py
                        store=out / "runs", progress="off")
    return s.write_report(out), s.results()


def test_report_in_headless_chromium(generated):
    sync_playwright = _need_browser()
    paths, results = generated
    url = paths["html"].resolve().as_uri()
    requests: list[str] = []
    console: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))

            def only_the_page(route):
                if route.request.url == url:
                    route.continue_()
                else:
                    route.abort()

            page.route("**/*", only_the_page)
            page.goto(url, wait_until="load")

            for r in results:
                card = page.locator(f'article[data-claim-id="{r.claim.id}"]')
                assert card.count() == 1, r.claim.id
                shown = card.get_attribute("data-display-status")
                assert card.locator(".verdict").text_content().strip() == shown
                assert shown in ("blocked", r.status)
                box = card.bounding_box()
                assert box and box["width"] > 300 and box["height"] > 100, r.claim.id
            assert page.locator("article.card").count() == len(results)

            graph = page.locator("svg.depgraph").bounding_box()
            assert graph and graph["width"] > 200 and graph["height"] > 50
            assert page.locator("svg.depgraph g.node").count() == len(results)
            maths = page.locator(".formula math")
            assert maths.count() > 0
            for i in range(maths.count()):  # MathML Core really laid out, not raw text
                box = maths.nth(i).bounding_box()
                assert box and box["width"] > 20 and box["height"] > 8

            figs = page.locator("figure.fig")
            assert figs.count() == len(report_figures(paths))
            for i in range(figs.count()):
                fig = figs.nth(i)
                if fig.get_attribute("data-available") == "yes":
                    img = fig.locator("img")
                    natural = img.evaluate("el => [el.naturalWidth, el.naturalHeight]")
                    box = img.bounding_box()
                    assert natural[0] > 0 and natural[1] > 0, "figure image did not decode"
                    assert box and box["width"] > 100 and box["height"] > 50
                else:
                    assert "not available:" in fig.locator(".na").text_content()

            # collapsible evidence works without scripts
            first = page.locator("article.card details.evidence").first
            first.locator(":scope > summary").click()
            assert first.evaluate("el => el.open") is True

            ARTIFACTS.mkdir(exist_ok=True)
            page.locator("#top").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "report.png"))
        finally:
            browser.close()
    assert console == [], console
    assert requests == [url], f"requests other than the page itself: {requests}"
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def report_figures(paths) -> list:
    import json

    return json.loads(paths["json"].read_text())["figures"]


def test_report_readable_without_javascript(generated):
    sync_playwright = _need_browser()
    paths, results = generated
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            page.goto(paths["html"].resolve().as_uri())
            text = page.locator("main").inner_text()
        finally:
            browser.close()
    for r in results:
        assert r.claim.id in text
    assert "Dependency graph" in text and "Summary" in text
