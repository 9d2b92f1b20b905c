"""Fixtures shared by several test files."""

from __future__ import annotations

import pytest
from repo_scripts import load_script


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's chromium, never a downloaded browser.

    One session-wide browser serves every browser test: a second Playwright started
    beside pytest-playwright's own would run inside its event loop and fail.
    """
    check_site = load_script("check_site")
    if check_site.find_chromium() is None:
        pytest.fail(
            "chromium is not installed: run `make chromium` "
            "(apt-get update && apt-get install -y chromium).",
            pytrace=False,
        )
    return {**browser_type_launch_args, **check_site.launch_args()}
