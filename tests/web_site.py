"""The staff website under test: the demo database plus synthetic records, and a
synchronous client for Datasette configured exactly as `litref serve` runs it.

Datasette 0.65's test client keeps no cookies between calls, so every call
takes the cookies it should send.
"""

import asyncio
import html as html_module
import re
import shutil
import time
from pathlib import Path

from litref.db.database import open_db
from litref.clock import utc_now
from litref.pipeline import import_file
from litref.demo import build_demo
from litref.web import signin
from litref.web.app import datasette_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONTRADICTED_CLAIM = "lupus-us-prevalence"  # "...one of the 1.5 million Americans..."
CDC_META_ANALYSIS = 33474834  # contradicts it, in the sample curation
UNLINKED_CLAIM = "lupus-damages-organs-over-time"  # no sample curation
ATTACK = "<script>alert(1)</script> <img src=x onerror=alert(1)>"
ATTACK_PMID = 99000900
ATTACK_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- SYNTHETIC record for the web tests: its title and abstract carry markup that must
     never run in a browser. -->
<PubmedArticleSet><PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">99000900</PMID>
    <Article PubModel="Print">
      <Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2024</Year></PubDate></JournalIssue>
        <Title>Journal of Synthetic Test Records</Title></Journal>
      <ArticleTitle>Synthetic record &lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt;</ArticleTitle>
      <Abstract>
        <AbstractText Label="&lt;script&gt;alert(1)&lt;/script&gt;">Synthetic abstract &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; with <i>italics</i>.</AbstractText>
      </Abstract>
      <AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Testauthor &lt;script&gt;alert(1)&lt;/script&gt;</LastName><Initials>Z</Initials>
        <AffiliationInfo><Affiliation>&lt;img src=x onerror=alert(1)&gt; Synthetic Test University</Affiliation></AffiliationInfo></Author></AuthorList>
      <Language>eng</Language>
      <PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>
    </Article>
  </MedlineCitation>
  <PubmedData><PublicationStatus>ppublish</PublicationStatus>
    <ArticleIdList><ArticleId IdType="pubmed">99000900</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle></PubmedArticleSet>
"""
CSRF_INPUT = re.compile(r'name="csrftoken" value="([^"]+)"')


def build_site_db(path):
    """The demo database, plus the synthetic fixtures (retractions, errata, trials...)
    and the attack record, linked to a claim so the claim page shows it."""
    build_demo(path)
    attack = path.parent / "attack.xml"
    attack.write_text(ATTACK_XML)
    database = open_db(path)
    import_file(database, FIXTURES / "edge-cases.xml", now=utc_now())
    import_file(database, attack, now=utc_now())
    with database.atomic():
        for pmid, stance in ((ATTACK_PMID, "mixed"), (99000010, "supports")):
            database.execute(
                "INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at) "
                "VALUES (?, ?, ?, ?, 'tester', ?)",
                [UNLINKED_CLAIM, pmid, stance, f"Synthetic note {ATTACK}", utc_now()],
            )
    database.close()
    return path


class Site:
    """Datasette over a database file, driven from synchronous tests."""

    def __init__(self, db_path):
        self.db_path = Path(db_path)
        self.ds = datasette_for(db_path)
        self.name = self.db_path.stem
        self.loop = asyncio.new_event_loop()

    def close(self):
        self.loop.close()

    def get(self, path, cookies=None):
        return self.loop.run_until_complete(
            self.ds.client.get(path, headers=_cookie_header(cookies)))

    def post(self, path, data, cookies=None, headers=None):
        return self.loop.run_until_complete(self.ds.client.post(
            path, data=data, headers={**_cookie_header(cookies), **(headers or {})}))

    def staff(self, name="alice"):
        """Cookies of a signed-in reviewer with a valid CSRF token, and that token."""
        # A real session (web/signin.py), as signing in makes, without the password.
        cookies = {"ds_actor": signin.state(self.ds).cookie(self.ds, name, now=time.time(), seconds=3600)}
        page = self.get("/", cookies)  # its "Log out" form carries the token
        token = CSRF_INPUT.search(page.text).group(1)
        assert page.cookies["ds_csrftoken"] == token
        return {**cookies, "ds_csrftoken": token}, token

    def curate(self, query, fields, name="alice"):
        """POST a curation form as the JavaScript on the claim page does; the JSON answer."""
        cookies, token = self.staff(name)
        response = self.post(f"/{self.name}/{query}", {**fields, "csrftoken": token, "_json": "1"},
                             cookies)
        assert response.status_code == 200, response.text
        return response.json()


def copy_site(source, directory):
    """A private copy of a built site database, for tests that write."""
    target = Path(directory) / source.name
    shutil.copy(source, target)
    return Site(target)


def card(html, element_id):
    """The HTML of one citation card (an <article>) of a page, by its id."""
    return html[html.index(f'id="{element_id}"'):].split("</article>")[0]


def _cookie_header(cookies):
    return {"cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def text_of(html):
    """The page's visible words, tags removed and spaces collapsed."""
    return html_module.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))
