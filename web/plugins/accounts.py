"""Staff sign-in, by the rules of web/signin.py: /-/login, /-/logout, who is signed
in, the "Log in" menu link, and what pages say about signing in.

It replaces two plugins' parts, which Datasette would otherwise also run:

- datasette-auth-passwords' web side (its login page, which checks passwords on
  the event loop with no limit, its password tool open to anyone, its menu link
  and its accounts in the public metadata). Its ``datasette hash-password``
  command and its password functions stay in use;
- Datasette's own reader of the ``ds_actor`` cookie, which accepts any correctly
  signed cookie, even a copy kept after logging out.
"""

import asyncio
import functools
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import Response
from datasette_auth_passwords.utils import hash_password, verify_password

from litref.web import signin

for replaced in ("auth_passwords", "datasette.actor_auth_cookie"):
    pm.set_blocked(replaced)

# Password checks (pbkdf2, about 0.3 s each) run here, off the event loop that serves
# every page; two at a time, so guessers queue behind each other, not before visitors.
HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="litref-password")
WRONG = "Wrong user name or password."


@functools.cache
def _stand_in_hash():
    """Checked for unknown user names, so they take as long as known ones."""
    return hash_password(secrets.token_hex(16))


def _password_matches(password, password_hash):
    if password_hash is None:
        verify_password(password, _stand_in_hash())
        return False
    return verify_password(password, password_hash)


async def login(request, datasette):
    known = signin.accounts()
    if request.method != "POST":
        return await _login_page(datasette, request, known, signin.local_path(request.args.get("next")))
    form = await request.post_vars()
    next_path = signin.local_path(form.get("next"))
    if not known:
        return await _login_page(datasette, request, known, next_path)
    name = (form.get("username") or "").strip().lower()
    keys = [("name", name), ("address", _address(request))]
    state = signin.state(datasette)
    now = time.time()
    retry_at = state.failures.retry_at(keys, now)
    if retry_at is not None:
        return await _login_page(datasette, request, known, next_path, error=_too_many(retry_at, now),
                                 status=429, headers={"Retry-After": str(int(retry_at - now) + 1)})
    state.failures.start(keys, now)
    matches = await asyncio.get_running_loop().run_in_executor(
        HASHING, _password_matches, form.get("password") or "", known.get(name))
    if not matches:
        return await _login_page(datasette, request, known, next_path, error=WRONG, username=name)
    state.failures.succeeded(*keys, now)
    seconds = signin.session_seconds()
    response = Response.redirect(next_path)
    _set_session_cookie(response, request, state.cookie(datasette, name, now=now, seconds=seconds),
                        max_age=int(seconds))
    return response


def _too_many(retry_at, now):
    minutes = max(1, round((retry_at - now) / 60))
    at = datetime.fromtimestamp(retry_at, timezone.utc).strftime("%H:%M UTC")
    return (f"Too many failed sign-ins for this user name or from this computer: "
            f"{signin.MAX_FAILURES} in {signin.FAILURE_WINDOW // 60} minutes. Try again after {at} "
            f"(in about {minutes} minute{'s' if minutes != 1 else ''}). If you have forgotten your "
            "password, ask IT for a new one.")


async def _login_page(datasette, request, known, next_path, *, error=None, username="", status=200,
                      headers=None):
    page = await datasette.render_template("login.html", {
        "error": error, "next": next_path, "has_accounts": bool(known), "username": username,
    }, request=request)
    return Response.html(page, status=status, headers=headers)


async def logout(request, datasette):
    if request.method != "POST":
        if not request.actor:
            return Response.redirect(datasette.urls.instance())
        return Response.html(await datasette.render_template(
            "logout.html", {"actor": request.actor}, request=request))
    signin.state(datasette).end(datasette, request.cookies.get(signin.COOKIE))
    response = Response.redirect(datasette.urls.instance())
    _set_session_cookie(response, request, "", max_age=0)
    datasette.add_message(request, "You are now logged out", datasette.WARNING)
    return response


def _set_session_cookie(response, request, value, *, max_age):
    # Secure when the browser reached us over HTTPS, directly or through a proxy that
    # says so (X-Forwarded-Proto, trusted by uvicorn from FORWARDED_ALLOW_IPS).
    secure = request.scheme == "https" or signin.secure_cookies_always()
    response.set_cookie(signin.COOKIE, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=secure)


def _address(request):
    """The visitor's address (a proxy's X-Forwarded-For, when uvicorn trusts the proxy)."""
    client = request.scope.get("client")
    return client[0] if client else "unknown"


@hookimpl
def register_routes():
    return [(r"^/-/login$", login), (r"^/-/logout$", logout)]


@hookimpl
def actor_from_request(datasette, request):
    return signin.state(datasette).actor(datasette, request.cookies.get(signin.COOKIE), now=time.time())


def sign_in_url(datasette, request):
    """/-/login?next=<this page>: signing in comes back here."""
    login_page = datasette.urls.path("/-/login")
    if request is None or request.path in (login_page, datasette.urls.path("/-/logout")):
        return login_page
    return login_page + "?" + urlencode({"next": request.full_path})


@hookimpl
def menu_links(datasette, actor, request):
    if actor or not signin.accounts():
        return []
    return [{"href": sign_in_url(datasette, request), "label": "Log in"}]


@hookimpl
def extra_template_vars(datasette, request):
    return {"sign_in": {"url": sign_in_url(datasette, request), "has_accounts": bool(signin.accounts())}}
