"""What the real-browser tests share: Debian's chromium, a staff account, signing in,
and screenshots (the `browser` fixture itself is in conftest.py)."""

import contextlib
from pathlib import Path

from datasette_auth_passwords.utils import hash_password
from playwright.sync_api import expect

from tests.helpers import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "a long staff passphrase"


@contextlib.contextmanager
def serving_with_staff(db_path):
    """`litref serve` of the database with one staff account, alice; yields its URL."""
    with serving(db_path, {"LITREF_PASSWORD_HASH_ALICE": hash_password(PASSWORD)}) as base:
        yield base


def sign_in(page, base):
    page.goto(base + "/-/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.password-login input[type=submit]").click()
    expect(page.locator("header .actor")).to_have_text("alice")


@contextlib.contextmanager
def signed_in(browser, base, **options):
    """A page of a fresh browser context (``options`` as Playwright's new_context takes
    them) signed in as alice; the context closes afterwards."""
    context = browser.new_context(**options)
    try:
        page = context.new_page()
        sign_in(page, base)
        yield page
    finally:
        context.close()


def screenshot(page, name, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)
