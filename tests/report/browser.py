"""Headless Chromium for the browser tests: Debian's ``chromium``, driven by Playwright.

Playwright drives the system's Chromium (``executable_path``): ``playwright install`` (which
downloads a browser of its own) is never run. ``make test`` installs Chromium when it is missing;
the tests fail, never skip, without it, saying how to install it.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

__all__ = ["FLAGS", "chromium_path", "launch", "non_blank_fraction"]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL = ("install Debian's chromium: `sudo apt-get install -y chromium` (`make test` does it "
           "when it is missing), or point RUNG_CHROMIUM at a Chromium binary")


def chromium_path() -> str:
    """The Chromium binary: ``$RUNG_CHROMIUM``, else ``chromium`` on the PATH."""
    found = os.environ.get("RUNG_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not found or not Path(found).exists():
        pytest.fail(f"the browser tests need Chromium, and none was found: {INSTALL}",
                    pytrace=False)
    return found


@contextmanager
def launch() -> Iterator[Any]:
    """A headless Chromium browser (Playwright's ``Browser``); Playwright gives each launch a
    fresh temporary profile (its ``--user-data-dir``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright: pip install -e '.[dev]' -c "
                    "constraints.txt (never `playwright install`: the tests use the system's "
                    f"Chromium); {INSTALL}", pytrace=False)
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def non_blank_fraction(png: bytes) -> float:
    """The fraction of a screenshot's pixels that are not (nearly) white."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / max(sum(histogram), 1)
