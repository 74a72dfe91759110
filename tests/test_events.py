"""events.csv and the columns that tie agreements to events, parties by type, date provenance and repeats."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.extract.agreements.rows import overlap, typed_parties
from pipeline.extract.families import run_all
from pipeline.records import Entity, Mention


def read(out, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def seed_tables(seed_run):
    out, *_ = seed_run
    return read(out, "agreements"), read(out, "events")


def test_the_seed_defence_ministers_meeting_is_one_event_with_its_people_and_agreements(seed_tables):
    """004 reports the Hamada–Austin meeting of 12 January 2023 (hand-checked against the article)."""
    agreements, events = seed_tables
    e = events[(events.article_id.str.startswith("004")) & (events.event_id == "e001")].iloc[0]
    assert (e.event, e.canonical, e.date, e.kind) == ("日米防衛相会談", "日米防衛相会談", "2023-01-12", "meeting")
    assert e.participants == "浜田靖一 | オースティン" and e.countries == "JP | US"
    assert e.event_key == "日米防衛相会談@2023-01-12" and e.rule == "event.kind.meeting"
    mine = agreements[(agreements.article_id == e.article_id) & (agreements.event_id == "e001")]
    assert int(e.agreements) == len(mine) > 5
    assert set(mine.date) == {"2023-01-12"}


def test_a_2plus2_is_a_consultation_under_its_canonical_name(seed_tables):
    _, events = seed_tables
    twos = events[events.canonical == "日米安全保障協議委員会(2+2)"]
    assert len(twos) >= 3 and set(twos.kind) == {"consultation"}
    assert {"日米外務・防衛担当閣僚協議", "日米「2+2」"} <= set(twos.event)


def test_event_ids_and_counts_agree_across_the_two_tables(seed_tables):
    agreements, events = seed_tables
    linked = agreements[agreements.event_id != ""]
    keys = set(zip(events.article_id, events.event_id))
    assert set(zip(linked.article_id, linked.event_id)) <= keys
    counted = linked.groupby(["article_id", "event_id"]).size().to_dict()
    for row in events.itertuples():
        assert int(row.agreements) == counted.get((row.article_id, row.event_id), 0)
    assert len(linked) >= 0.8 * len(agreements[agreements.event != ""])  # an agreement's named event is a row


def test_offsets_of_events_and_statements_point_into_the_clean_text(seed_run, seed_tables):
    out, *_ = seed_run
    agreements, events = seed_tables
    text = {p.stem: p.read_text(encoding="utf-8") for p in (out / "clean").glob("*.txt")}
    for row in events.itertuples():
        assert text[row.article_id][int(row.start) : int(row.end)] == row.event
    for row in agreements.itertuples():
        statement = text[row.article_id][int(row.start) : int(row.end)]
        assert statement and statement in row.sentence
        if row.content and row.content in row.sentence:  # the content, when it is in the sentence, is in the statement
            assert statement.startswith(row.content[:4]) or row.content[:4] in statement, statement


def test_date_from_says_where_every_date_came_from(seed_tables):
    agreements, _ = seed_tables
    assert ((agreements.date == "") == (agreements.date_from == "")).all()
    assert {"sentence", "event"} <= set(agreements.date_from)
    # a date written in the statement's own sentence appears in that sentence
    from_sentence = agreements[agreements.date_from == "sentence"]
    assert len(from_sentence) >= 5


def test_typed_parties_carry_iso_codes(seed_tables):
    agreements, _ = seed_tables
    both = agreements[agreements.parties == "日本 | 米国"]
    assert len(both) and set(both.party_countries) == {"JP | US"} and set(both.party_people) == {""}
    people = agreements[agreements.parties == "浜田靖一 | オースティン"]
    assert set(people.party_people) == {"浜田靖一 | オースティン"} and set(people.party_countries) == {"JP | US"}
    org = agreements[agreements.parties == "在日米軍"]
    assert set(org.party_organizations) == {"在日米軍"} and set(org.party_countries) == {"US"}


def test_a_headline_repeated_by_its_lead_is_marked_once(seed_tables):
    agreements, _ = seed_tables
    repeats = agreements[agreements.repeat_of != ""]
    assert len(repeats) >= 1
    ids = set(zip(agreements.article_id, agreements.agreement_id))
    for row in repeats.itertuples():
        assert (row.article_id, row.repeat_of) in ids and row.repeat_of < row.agreement_id


def _entity(label: str, name: str, country: str, surfaces: tuple[str, ...] = ()) -> Entity:
    mentions = [Mention(label, s, 0, len(s), 0, name, "test") for s in (name, *surfaces)]
    return Entity(label, name, mentions, country=country)


def test_typed_parties_of_people_countries_and_organisations():
    people = [_entity("PERSON", "山田太郎", "JP"), _entity("PERSON", "スミス", "GB")]
    orgs = [_entity("ORG", "日米合同委員会", "JP-US", ("合同委員会",))]
    got = typed_parties(("山田太郎", "スミス", "フィリピン", "合同委員会", "両社"), people, orgs)
    assert got == (("山田太郎", "スミス"), ("日米合同委員会",), ("JP", "GB", "PH", "US"))


def test_content_overlap_ignores_the_particles_a_headline_drops():
    assert overlap("防衛装備の共同開発", "防衛装備品を共同で開発する") > 0.8
    assert overlap("サイバー防衛の協力を強化する", "宇宙分野での協力を強化する") < 0.5
    assert overlap("", "協力") == 0.0


def test_an_undated_mention_joins_the_dated_meeting_of_its_name(parse_text):
    parsed = parse_text(
        "日仏外相会談 海洋協力で一致\n青木外相は9日、パリでルブラン外相と会談した。"
        "会談で両外相は、海洋安全保障での協力を強化することで一致した。",
        "2026-05-10",
    )
    events = run_all(parsed)["events"]
    got = [(e.canonical, e.date, e.place, e.kind) for e in events]
    assert got == [("日仏外相会談", "2026-05-09", "パリ", "meeting")]
    assert events[0].countries[:2] == ("JP", "FR") and len(events[0].agreements) >= 1


def test_two_meetings_of_one_name_on_two_days_are_two_events(parse_text):
    parsed = parse_text(
        "日豪首脳会談は3日に東京で開かれた。両首脳は10日にも電話で会談した。",
        "2026-06-11",
    )
    events = run_all(parsed)["events"]
    assert [(e.date, e.kind) for e in events] == [("2026-06-03", "summit"), ("2026-06-10", "call")]


def test_a_bare_meeting_is_keyed_by_its_people_so_articles_can_share_it(parse_text):
    """Two articles of one meeting, one naming it 会談 only: the same key from its participants and date."""
    first = run_all(parse_text("中村防衛相は12日、リー国防相と防衛省で会談した。", "2026-03-13"))["events"]
    second = run_all(parse_text("リー国防相は12日、東京で中村防衛相と会談した。", "2026-03-12"))["events"]
    assert first[0].key == second[0].key == "会談(リー・中村)@2026-03-12"
