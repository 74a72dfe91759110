"""The rules as a spaCy pipeline component: ``nlp.add_pipe("jpnews_extract")`` after GiNZA.

    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("jpnews_extract")
    doc = nlp(text)
    doc._.people, doc._.organizations, doc._.dates, doc._.agreements  # the rows of people.csv, ...

The doc's text is one article, taken through the stages as a run takes a file: cleaned, its repeated
blocks dropped, split into sentences (prepare); each clean sentence parsed as its own Doc by the
components that come before this one (parse); every rule family (extract); and the rows the tables
stage makes of it (output). Each family of the registry gets a doc extension of its name holding its
table's rows as dicts; ``doc._.jpnews_text`` is the clean text their offsets point into.

spaCy finds the factory through the package's ``spacy_factories`` entry point, so it imports this
module whenever it builds a ``Language`` anywhere the package is installed: what it imports at the top
must stay cheap and certain to import. The stages are imported when a component is made.
"""

# No ``from __future__ import annotations``: spaCy reads the factory's annotations to check its config.
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, cast

from spacy.language import Language
from spacy.tokens import Doc

if TYPE_CHECKING:
    from .output.tables import Tables
    from .records import Article

FACTORY = "jpnews_extract"
TEXT_ATTR = "jpnews_text"  # the clean text the records' offsets point into


@Language.factory(FACTORY, default_config={"published": None, "article_id": "doc"})
def make_extractor(nlp: Language, name: str, published: str | None, article_id: str) -> "Extractor":
    """The component; ``published`` (ISO date) replaces the date found in the text, ``article_id`` fills that column."""
    return Extractor(nlp, name, published, article_id)


class Extractor:
    """Sets one extension per rule family on each doc: the rows of that family's table for the doc's text."""

    def __init__(self, nlp: Language, name: str, published: str | None = None, article_id: str = "doc") -> None:
        from .extract.facts import ISO_DATE
        from .extract.families import families
        from .output.tables import COLUMNS

        if published is not None and not ISO_DATE.match(published):
            raise ValueError(f"published must be an ISO date (YYYY, YYYY-MM or YYYY-MM-DD), not {published!r}")
        self.nlp, self.name, self.published, self.article_id = nlp, name, published, article_id
        self.families = [family.name for family in families()]
        untabled = [n for n in self.families if n not in COLUMNS]
        if untabled:
            raise ValueError(f"rule families without a table of their name: {', '.join(untabled)}")
        for attr in (TEXT_ATTR, *self.families):
            if not Doc.has_extension(attr):
                Doc.set_extension(attr, default=None)

    def __call__(self, doc: Doc) -> Doc:
        article = prepare_text(doc.text, self.article_id)
        tables = self.tables(article)
        doc._.set(TEXT_ATTR, article.text)
        for name in self.families:
            doc._.set(name, getattr(tables, name).to_dict("records"))
        return doc

    def tables(self, article: "Article") -> "Tables":
        """The tables a run makes of this one article (only its extraction: no articles or duplicates rows)."""
        from .extract import extraction, facts
        from .output.tables import TableBuilder
        from .parse import ginza

        published = self.published or facts.published(article)[0] or None
        # ginza.parse_texts needs only ``pipe`` of the model it is given.
        before = cast(Language, Preceding(self.nlp, self.name))
        parsed = ginza.parse_article(article.article_id, article.text, article.sentences, before, published)
        builder = TableBuilder()
        builder.add_extraction(article, extraction.extract(parsed))
        return builder.build()


class Preceding:
    """The pipeline's components before ``name``, as ``pipe``: ``name`` and those after it are left out.

    The rules expect one Doc per clean sentence, parsed as a run parses it; ``nlp.pipe`` with this
    component disabled gives that without calling ``nlp`` from inside its own call.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        names = list(nlp.pipe_names)
        self.nlp = nlp
        start = names.index(name) if name in names else len(names)
        self.skip = names[start:]

    def pipe(self, texts: Iterable[str], batch_size: int | None = None) -> Iterator[Doc]:
        return self.nlp.pipe(texts, batch_size=batch_size, disable=self.skip)


def prepare_text(text: str, article_id: str = "doc") -> "Article":
    """A text made an article as the prepare stage makes one of a file: clean, repeated blocks dropped, sentences."""
    from .prepare import cleaning, dedup
    from .records import Article

    # The removals are left out: the tables made here (extraction only) do not read them.
    clean, _ = cleaning.clean(text)
    kept, _ = dedup.dedup_blocks(article_id, clean)
    article = Article(article_id, "<doc>", "", raw=text, clean=kept)
    article.sentences = cleaning.segment(kept.text)
    return article
