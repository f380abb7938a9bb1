"""Screenshot a project's report, as in docs/img/report.png.

Writes the project's report to a temporary file, opens it in headless Chromium (Debian's
``chromium``, driven by Playwright: the same set-up as the browser tests) and saves the page's top
``--height`` pixels. For the docs' picture, run the demo first::

    .venv/bin/python examples/demo.py --directory runs
    .venv/bin/python tools/report_screenshot.py runs/keras_demo docs/img/report.png
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from rung.report import write_report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1900)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium not found: sudo apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as scratch:
        page_file = write_report(args.project, Path(scratch) / "report.html")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(page_file.as_uri())
            page.wait_for_selector("#trials tbody tr")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=False)
            browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
