"""The screens that tell which articles a rule edit cannot change (``pipeline.extract.screens``)."""

from __future__ import annotations

from dataclasses import replace

from pipeline import rulebook
from pipeline.extract import screens


def test_flat_ignores_width_case_spaces_and_punctuation():
    assert screens.flat("ＭｏＤ・防 衛 省") == "mod防衛省"
    assert screens.flat("Mrs.") in screens.flat("Ｍｒｓ． Harper")


def test_an_edit_names_the_changed_rules_and_entries_only():
    old = rulebook.load("agreements")
    first, second = old.rules[0], old.rules[1]
    reworded = replace(first, description="reworded", examples=())  # says the same, does the same
    new = replace(old, rules=(reworded, *old.rules[2:]))  # the second rule removed
    edit = screens.Edit.between(old, new)
    assert edit.old_ids == {second.id} and edit.new_ids == frozenset() and not edit.entries and not edit.other
    offices = rulebook.load("offices")
    fewer = replace(offices, entries=offices.entries[1:])
    edit = screens.Edit.between(offices, fewer)
    assert edit.entries == (offices.entries[0],) and not edit.other
    assert screens.Edit.between(offices, replace(offices, settings={"x": 1})).other


def test_an_entry_touches_only_articles_where_its_words_are_written():
    institutions = rulebook.load("institutions")
    entry = next(e for e in institutions.entries if e["name"] == "防衛省")
    edit = screens.Edit.between(
        institutions, replace(institutions, entries=tuple(e for e in institutions.entries if e is not entry))
    )
    assert screens.entries_touch(edit, screens.ScreenArticle("a", "防 衛 省は3日、発表した。"))
    assert not screens.entries_touch(edit, screens.ScreenArticle("b", "外務省は3日、発表した。"))


def test_a_token_pattern_touches_only_articles_with_its_words():
    from pipeline.extract.agreements.matching import touches

    rule = {"agreement.shomei"}
    written = screens.ScreenArticle("a", "両国は協定に署名した。", frozenset({"両国", "協定", "署名", "する"}))
    unwritten = screens.ScreenArticle("b", "両国は会談した。", frozenset({"両国", "会談", "する"}))
    assert touches(frozenset(rule), written) and not touches(frozenset(rule), unwritten)
    # a rule with no token pattern may do anything
    assert touches(frozenset({"agreement.repeat"}), unwritten)


def test_a_date_rule_touches_only_articles_where_it_finds_a_mention():
    from pipeline.extract.dates import FAMILY

    assert FAMILY.touches is not None
    assert FAMILY.touches(frozenset({"date.western_ymd"}), screens.ScreenArticle("a", "2025年3月30日に会談した"))
    assert not FAMILY.touches(frozenset({"date.western_ymd"}), screens.ScreenArticle("b", "令和7年3月30日に会談した"))


def test_a_token_pattern_whose_words_are_there_but_which_matches_nowhere_touches_nothing(parse_text):
    """署名 written as a noun: the words of agreement.shomei are there, its pattern (a verb) matches nowhere.
    The memo of the last run says so, and so does matching the docs when no memo holds the pattern."""
    from pipeline.extract import agreements
    from pipeline.extract.agreements.matching import touches
    from pipeline.extract.families import run_all

    rule = frozenset({"agreement.shomei"})
    noun = parse_text("両国は協定の署名について協議した。")
    lemmas = frozenset(t.lemma_ for doc in noun.docs for t in doc)
    assert touches(rule, screens.ScreenArticle("a", noun.text, lemmas))  # by its words alone: may match
    memo = agreements.Memo()
    found = run_all(noun, upto="agreements")
    agreements.extract(noun, found["people"][1], found["organizations"][1], found["dates"], memo)
    remembered = screens.ScreenArticle("a", noun.text, lemmas, memo_of={"agreements": memo}.get)
    assert not touches(rule, remembered)
    assert not touches(rule, screens.ScreenArticle("a", noun.text, lemmas, docs=noun.docs))
    verb = parse_text("両国は協定に署名した。")
    verb_lemmas = frozenset(t.lemma_ for doc in verb.docs for t in doc)
    assert touches(rule, screens.ScreenArticle("b", verb.text, verb_lemmas, docs=verb.docs))
    verb_memo = agreements.Memo()
    found = run_all(verb, upto="agreements")
    agreements.extract(verb, found["people"][1], found["organizations"][1], found["dates"], verb_memo)
    assert touches(rule, screens.ScreenArticle("b", verb.text, verb_lemmas, memo_of={"agreements": verb_memo}.get))


def test_a_rule_found_by_its_shape_touches_only_articles_where_the_shape_is(parse_text):
    """agreement.headline_phrase has no token pattern: with the docs held, it may act only where a headline
    has its shape (a predicate noun ending a phrase before another); without them, anywhere."""
    from pipeline.extract.agreements.matching import touches

    rule = frozenset({"agreement.headline_phrase"})
    glued = parse_text("米中、関税引き下げで合意 貿易協議が決着\n\n米中両政府は3日、関税を引き下げることで合意した。")
    body = parse_text("両国は3日、関税を引き下げることで合意した。")
    assert touches(rule, screens.ScreenArticle("a", glued.text, docs=glued.docs))
    assert not touches(rule, screens.ScreenArticle("b", body.text, docs=body.docs))
    assert touches(rule, screens.ScreenArticle("b", body.text))  # nothing held: it may do anything
