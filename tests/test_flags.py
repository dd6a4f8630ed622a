"""Flags only move forward with the record: an older copy never clears a flag, a
notice flags its target whichever arrives first, a deletion of a curated PMID not
stored is kept, and `litref status` compares when the flag was first seen."""

import json

import pytest
from click.testing import CliRunner

from litref.cli import main
from litref.db.claims import save_claims
from litref.db.curation import missing_curated_pmids
from litref.db.database import open_db
from tests.helpers import rows
from tests.helpers import CLAIM, REVIEWED
from tests.web_site import Site

TARGET = 99000801  # the article staff cite
NOTICE = 99000802  # a notice about it


def record(pmid, *, revised="2021-01-01", version=1, types=("Journal Article",), links=()):
    """A synthetic article with a DateRevised, a PMID version and CommentsCorrections links."""
    year, month, day = revised.split("-")
    type_xml = "".join(f"<PublicationType>{t}</PublicationType>" for t in types)
    link_xml = "".join(
        f'<CommentsCorrections RefType="{reftype}"><RefSource>Synthetic J</RefSource>'
        f'<PMID Version="1">{target}</PMID></CommentsCorrections>'
        for reftype, target in links
    )
    return f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="{version}">{pmid}</PMID>
<DateRevised><Year>{year}</Year><Month>{month}</Month><Day>{day}</Day></DateRevised>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2020</Year></PubDate>
</JournalIssue><Title>Synthetic Journal</Title></Journal>
<ArticleTitle>Synthetic record {pmid} about stem cells, revised {revised}</ArticleTitle>
<Language>eng</Language><PublicationTypeList>{type_xml}</PublicationTypeList></Article>
<CommentsCorrectionsList>{link_xml}</CommentsCorrectionsList>
</MedlineCitation></PubmedArticle>"""


def deletion(*pmids):
    return "<DeleteCitation>" + "".join(f"<PMID>{p}</PMID>" for p in pmids) + "</DeleteCitation>"


class Store:
    """A database with one claim, filled by real `litref import` runs."""

    def __init__(self, tmp_path):
        self.dir = tmp_path
        self.path = tmp_path / "citations.db"
        self.files = 0
        database = open_db(self.path)
        save_claims(database, [CLAIM], now="2020-01-01T00:00:00+00:00")
        database.close()

    def load(self, *parts):
        self.files += 1
        path = self.dir / f"file{self.files}.xml"
        path.write_text(f"<PubmedArticleSet>{''.join(parts)}</PubmedArticleSet>")
        result = CliRunner().invoke(main, ["import", "--db", str(self.path), str(path)])
        assert result.exit_code == 0, result.output
        return result.output

    def link(self, pmid, reviewed_at=REVIEWED):
        database = open_db(self.path)
        with database.atomic():
            database.execute(
                "INSERT INTO claim_evidence (claim_id, pmid, stance, note, reviewer, reviewed_at) "
                "VALUES (?, ?, 'supports', 'test note', 'staff', ?)", [CLAIM["id"], pmid, reviewed_at])
        database.close()

    def citation(self, pmid):
        return rows(self.path, "SELECT * FROM citations WHERE pmid = ?", [pmid])[0]

    def claim_status(self):
        return rows(self.path, "SELECT status FROM claim_status WHERE claim_id = ?", [CLAIM["id"]])[0]["status"]

    def status_report(self):
        searches = self.dir / "searches.yml"
        searches.write_text("searches: []\n")
        claims = self.dir / "claims.yml"
        claims.write_text("claims: []\n")
        result = CliRunner().invoke(main, ["status", "--db", str(self.path), "--json",
                                           "--searches", str(searches), "--claims", str(claims)])
        return json.loads(result.output)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path)


def test_an_older_copy_never_clears_a_retraction(store):
    store.load(record(TARGET, revised="2024-05-01", types=("Journal Article", "Retracted Publication"),
                      links=[("RetractionIn", NOTICE)]))
    store.link(TARGET)
    output = store.load(record(TARGET, revised="2020-03-01"))  # an old export, imported late
    assert "0 new, 0 updated, 1 unchanged" in output
    citation = store.citation(TARGET)
    assert (citation["is_retracted"], citation["date_revised"]) == (1, "2024-05-01")
    assert store.claim_status() == "cites-flagged-paper"


def test_a_newer_copy_replaces_an_older_one_and_versions_break_ties(store):
    store.load(record(TARGET, revised="2020-03-01"))
    store.load(record(TARGET, revised="2024-05-01", version=2))
    store.load(record(TARGET, revised="2024-05-01", version=1))
    citation = store.citation(TARGET)
    assert (citation["date_revised"], citation["pmid_version"]) == ("2024-05-01", 2)


@pytest.mark.parametrize("reftype, column", [("RetractionOf", "is_retracted"),
                                             ("ExpressionOfConcernFor", "has_expression_of_concern")])
def test_a_notice_stored_first_flags_its_article_when_it_arrives(store, reftype, column):
    store.load(record(NOTICE, types=("Retraction of Publication",), links=[(reftype, TARGET)]))
    store.link(TARGET)
    assert store.claim_status() != "cites-flagged-paper"  # only a missing PMID so far
    store.load(record(TARGET))  # its own record says nothing of the notice
    assert store.citation(TARGET)[column] == 1
    assert store.claim_status() == "cites-flagged-paper"
    # ...and a newer copy of it, still silent about the notice, keeps the flag.
    store.load(record(TARGET, revised="2025-01-01"))
    assert store.citation(TARGET)[column] == 1


def test_a_notice_arriving_later_flags_the_stored_article_everywhere_at_once(store, tmp_path):
    store.load(record(TARGET))
    store.link(TARGET)
    assert store.claim_status() == "weakly-supported"
    store.load(record(NOTICE, types=("Retraction of Publication",), links=[("RetractionOf", TARGET)]))
    citation = store.citation(TARGET)
    assert citation["is_retracted"] == 1 and citation["flagged_at"] == citation["updated_at"]
    assert store.claim_status() == "cites-flagged-paper"
    report = store.status_report()
    assert [(f["pmid"], f["is_retracted"]) for f in report["newly_flagged"]] == [(TARGET, 1)]
    site = Site(store.path)
    try:
        page = site.get(f"/claim/{CLAIM['id']}").text
        assert "Retracted: this article must not be used as evidence." in page
        export = site.get(f"/{site.name}/evidence_for_claim.vancouver?claim_id={CLAIM['id']}").text
        assert "[Retracted]" in export
    finally:
        site.close()


def test_a_deletion_of_a_curated_pmid_not_stored_is_kept_and_shown(store):
    store.link(TARGET)
    output = store.load(deletion(TARGET))
    assert "0 marked deleted" in output  # nothing stored to flag...
    assert rows(store.path, "SELECT pmid FROM citation_deletions") == [{"pmid": TARGET}]
    assert store.claim_status() == "cites-flagged-paper"  # ...but the claim is flagged
    assert missing_curated_pmids(open_db(store.path)) == []  # nothing to fetch: it is gone
    flagged = store.status_report()["newly_flagged"]
    assert [(f["pmid"], f["is_deleted"]) for f in flagged] == [(TARGET, 1)]
    site = Site(store.path)
    try:
        card = site.get(f"/claim/{CLAIM['id']}").text.split(f'id="evidence-{TARGET}"')[1]
        assert "Deleted from PubMed: the record was withdrawn." in card.split("</article>")[0]
    finally:
        site.close()
    # A copy of the record imported afterwards (an old export) is stored as deleted.
    store.load(record(TARGET))
    assert store.citation(TARGET)["is_deleted"] == 1


def test_status_compares_when_the_flag_was_first_seen_not_the_last_change(store):
    store.load(record(TARGET))
    store.link(TARGET, reviewed_at="2000-01-01T00:00:00+00:00")
    store.load(record(NOTICE, types=("Retraction of Publication",), links=[("RetractionOf", TARGET)]))
    flagged_at = store.citation(TARGET)["flagged_at"]
    assert len(store.status_report()["newly_flagged"]) == 1
    # A reviewer re-checks the link after the flag...
    database = open_db(store.path)
    with database.atomic():
        database.execute("UPDATE claim_evidence SET reviewed_at = ? WHERE pmid = ?",
                         ["2999-01-01T00:00:00+00:00", TARGET])
    database.close()
    assert store.status_report()["newly_flagged"] == []
    # ...and a later, newer copy of the record changes the row but not when it was flagged.
    store.load(record(TARGET, revised="2030-01-01"))
    assert store.citation(TARGET)["flagged_at"] == flagged_at
    assert store.status_report()["newly_flagged"] == []
