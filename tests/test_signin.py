"""Staff sign-in that resists abuse (web/signin.py, web/plugins/accounts.py): a limit
on failed attempts, sessions that end, cookies the browser guards, nothing about
accounts in public, and pages that say what to do when no account exists.

Tests against a real `litref serve` (addresses, HTTPS behind a proxy, password
checks beside page serving) are in test_live_site.py."""

import re
import time
from http.cookies import SimpleCookie

import pytest
from datasette_auth_passwords.utils import hash_password

from litref.demo import build_demo
from litref.web.signin import FAILURE_WINDOW, HASH_VARIABLE_PREFIX, MAX_FAILURES, local_path
from tests.web_site import CONTRADICTED_CLAIM, CSRF_INPUT, copy_site

PASSWORD = "a long staff passphrase"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("signin") / "demo.db"
    build_demo(path)
    return path


@pytest.fixture
def site(demo_db, tmp_path, monkeypatch):
    """The demo site with one account, alice (a quick hash: these tests sign in often)."""
    monkeypatch.setenv(HASH_VARIABLE_PREFIX + "ALICE", hash_password(PASSWORD, iterations=1000))
    site = copy_site(demo_db, tmp_path)
    yield site
    site.close()


class Browser:
    """One visitor's cookies across requests to a Site."""

    def __init__(self, site):
        self.site, self.cookies = site, {}

    def get(self, path):
        return self._keep(self.site.get(path, self.cookies))

    def sign_in(self, username="alice", password=PASSWORD, next_path=None):
        token = CSRF_INPUT.search(self.get("/-/login").text).group(1)
        form = {"username": username, "password": password, "csrftoken": token}
        if next_path is not None:
            form["next"] = next_path
        return self._keep(self.site.post("/-/login", form, self.cookies))

    def sign_out(self):
        token = CSRF_INPUT.search(self.get("/-/logout").text).group(1)
        return self._keep(self.site.post("/-/logout", {"csrftoken": token}, self.cookies))

    def actor(self):
        return self.get("/-/actor.json").json()["actor"]

    def _keep(self, response):
        for name, value in response.cookies.items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response


def session_cookie(response):
    """The ds_actor Set-Cookie header of a response, parsed."""
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith("ds_actor="))
    return SimpleCookie(header)["ds_actor"], header


def test_a_user_name_is_matched_without_regard_to_case(site):
    visitor = Browser(site)
    assert visitor.sign_in("  Alice ").status_code == 302
    assert visitor.actor() == {"id": "alice"}


def test_signing_in_returns_to_the_page_it_started_from(site):
    login_link = re.search(r'href="(/-/login\?next=[^"]+)"', site.get(f"/claim/{CONTRADICTED_CLAIM}").text)
    assert login_link.group(1) == f"/-/login?next=%2Fclaim%2F{CONTRADICTED_CLAIM}"
    form = site.get(login_link.group(1)).text
    assert f'name="next" value="/claim/{CONTRADICTED_CLAIM}"' in form
    signed_in = Browser(site).sign_in(next_path=f"/claim/{CONTRADICTED_CLAIM}")
    assert signed_in.headers["location"] == f"/claim/{CONTRADICTED_CLAIM}"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                                    "/\\evil.example", ""])
def test_signing_in_never_leads_to_another_website(target):
    assert local_path(target) == "/"


def test_after_five_failures_for_a_name_even_the_right_password_gets_429(site):
    visitor = Browser(site)
    for _ in range(MAX_FAILURES):
        failed = visitor.sign_in(password="wrong guess")
        assert failed.status_code == 200 and "Wrong user name or password." in failed.text
    refused = visitor.sign_in()  # the right password, too late
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= FAILURE_WINDOW + 1
    assert "Too many failed sign-ins" in refused.text and "Try again after" in refused.text
    assert "ds_actor" not in refused.cookies and visitor.actor() is None


def test_after_five_failures_from_one_address_other_names_get_429_too(site):
    visitor = Browser(site)
    for name in ("bob", "carol", "dave", "erin", "frank"):
        assert visitor.sign_in(name, "guess").status_code == 200
    assert visitor.sign_in().status_code == 429


def test_a_right_password_forgives_the_names_earlier_mistakes(site):
    visitor = Browser(site)
    for _ in range(MAX_FAILURES - 1):
        visitor.sign_in(password="typo")
    assert visitor.sign_in().status_code == 302
    assert visitor.sign_in(password="typo").status_code == 200  # not 429: counting starts again


def test_the_session_cookie_is_httponly_lax_and_lasts_a_working_day(site):
    response = Browser(site).sign_in()
    cookie, header = session_cookie(response)
    assert cookie["httponly"] and cookie["samesite"] == "lax"
    assert int(cookie["max-age"]) == 10 * 3600
    assert "Secure" not in header  # plain HTTP here; HTTPS is tested against a real server


def test_the_working_day_is_configurable(site, monkeypatch):
    monkeypatch.setenv("LITREF_SESSION_HOURS", "2")
    cookie, _ = session_cookie(Browser(site).sign_in())
    assert int(cookie["max-age"]) == 2 * 3600


def test_a_session_ends_when_its_time_is_up(site, monkeypatch):
    monkeypatch.setenv("LITREF_SESSION_HOURS", str(1 / 3600))  # one second
    visitor = Browser(site)
    visitor.sign_in()
    assert visitor.actor() == {"id": "alice"}
    time.sleep(1.2)
    assert visitor.actor() is None


def test_a_copy_of_the_cookie_stops_working_at_logout(site):
    visitor = Browser(site)
    visitor.sign_in()
    copy = dict(visitor.cookies)
    visitor.sign_out()
    assert visitor.actor() is None
    assert site.get("/-/actor.json", copy).json()["actor"] is None


def test_a_signed_cookie_without_a_live_session_signs_nobody_in(site):
    forged_by_datasette = site.ds.sign({"a": {"id": "alice"}}, "actor")  # what Datasette itself makes
    assert site.get("/-/actor.json", {"ds_actor": forged_by_datasette}).json()["actor"] is None
    staff, token = site.staff()
    response = site.post(f"/{site.name}/link_citation", {"claim_id": CONTRADICTED_CLAIM, "pmid": "18947373",
                         "stance": "context", "csrftoken": token, "_json": "1"},
                         {**staff, "ds_actor": forged_by_datasette})
    assert response.status_code == 403


def test_account_names_and_hash_variables_are_nowhere_in_public(site, monkeypatch):
    monkeypatch.setenv(HASH_VARIABLE_PREFIX + "ZEBEDEE", hash_password("x", iterations=1000))
    for path in ("/-/metadata.json", "/-/metadata", "/-/plugins.json", "/-/settings.json",
                 "/-/config.json", "/", "/-/login"):
        text = site.get(path).text.lower()
        assert "zebedee" not in text and "password_hash" not in text, path


def test_the_password_tool_is_not_for_anonymous_visitors(site):
    page = site.get("/-/password-tool")
    assert page.status_code == 404
    token = CSRF_INPUT.search(site.get("/-/login").text).group(1)
    posted = site.post("/-/password-tool", {"password": "anything", "csrftoken": token},
                       {"ds_csrftoken": token})
    assert posted.status_code in (403, 404) and "pbkdf2" not in posted.text


def test_without_any_account_pages_offer_no_sign_in_and_tell_it_what_to_do(site, monkeypatch):
    monkeypatch.delenv(HASH_VARIABLE_PREFIX + "ALICE")
    for path in ("/", f"/claim/{CONTRADICTED_CLAIM}"):
        html = site.get(path).text
        assert "/-/login" not in html and "Log in" not in html, path
        assert "Staff sign-in is not set up yet" in html and "Signing in" in html, path
    login = site.get("/-/login").text
    assert "No staff account is set up yet, so nobody can sign in." in login
    assert 'name="password"' not in login


def test_with_an_account_the_menu_offers_log_in_back_to_this_page(site):
    html = site.get(f"/claim/{CONTRADICTED_CLAIM}").text
    assert f'href="/-/login?next=%2Fclaim%2F{CONTRADICTED_CLAIM}">Log in</a>' in html
