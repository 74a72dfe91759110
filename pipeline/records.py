"""Plain records passed between stages.

Every stage takes and returns these (or DataFrames); no stage imports another
stage. Offsets are Python string indices (code points).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SECTIONS = ("body", "comments", "meta")


@dataclass(frozen=True)
class Removal:
    """A span of the raw (decoded) text that did not make it into the clean text."""

    start: int
    end: int
    kind: str  # markup | exact_block | near_block | article
    duplicate_of: str = ""  # "article_id:start" of the kept copy (raw offset), for duplicate kinds

    @property
    def chars(self) -> int:
        return self.end - self.start


@dataclass
class AlignedText:
    """A text plus, for each of its characters, the offset in the raw text it came from.

    Every transformation (cleaning, de-duplication) returns a new AlignedText, so
    any clean offset can be traced back to the raw input. The offsets are kept as a
    compact ``array`` (4 bytes each): as a list of ints they were half the memory the
    run held per article (46 of 75 KB).
    """

    text: str
    origin: array  # array("i"); a list given to the constructor is converted

    def __post_init__(self) -> None:
        if not isinstance(self.origin, array):
            self.origin = array("i", self.origin)
        if len(self.origin) != len(self.text):
            raise ValueError(f"origin has {len(self.origin)} entries for {len(self.text)} characters")

    @classmethod
    def identity(cls, raw: str) -> AlignedText:
        return cls(raw, array("i", range(len(raw))))

    @classmethod
    def join(cls, parts: Iterable[AlignedText]) -> AlignedText:
        parts = list(parts)
        origin = array("i")
        for p in parts:
            origin.extend(p.origin)
        return cls("".join(p.text for p in parts), origin)

    def __len__(self) -> int:
        return len(self.text)

    def slice(self, start: int, end: int) -> AlignedText:
        return AlignedText(self.text[start:end], self.origin[start:end])

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw [start, end) covering clean characters [start, end)."""
        if start >= end:
            pos = self.origin[start] if start < len(self.origin) else (self.origin[-1] + 1 if self.origin else 0)
            return pos, pos
        return min(self.origin[start:end]), max(self.origin[start:end]) + 1


@dataclass(frozen=True)
class Sentence:
    """One sentence of the clean text: [start, end) offsets and the section it belongs to."""

    index: int
    start: int
    end: int
    section: str  # one of SECTIONS
    paragraph: int = 0  # index of the paragraph (blank-line or line block) it stands in


@dataclass
class Article:
    """An input file after reading, cleaning and de-duplication, before parsing."""

    article_id: str
    path: str
    sha256: str
    encoding: str = ""
    raw: str = ""
    clean: AlignedText | None = None
    sentences: list[Sentence] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # sidecar: published, source, url; a web page's title, published
    duplicate_of: str = ""
    error: str = ""  # why the article could not be processed
    meta_error: str = ""  # why its sidecar was ignored (the text is still processed)
    signature: Any = None  # the de-duplication stage's MinHash of the clean text
    format: str = ""  # text | html | pdf: how the file was read (empty when it could not be)
    pages: int = 0  # a PDF's page count
    warnings: str = ""  # what reading removed from an otherwise good file (stray NUL or control characters)

    @property
    def text(self) -> str:
        return self.clean.text if self.clean is not None else ""

    @property
    def ok(self) -> bool:
        return not self.error

    def sentence_texts(self) -> list[str]:
        return [self.text[s.start : s.end] for s in self.sentences]


@dataclass(frozen=True)
class DateMention:
    """A temporal expression in the clean text, normalised (dates.csv row)."""

    start: int
    end: int
    text: str
    value: str  # ISO: YYYY-MM-DD, YYYY-MM, YYYY, XXXX-04-10, FY2024; times: THH:MM
    kind: str  # date | month | year | fiscal_year | time
    anchor: str  # explicit | published | context | unresolved
    sentence_index: int
    rule: str


@dataclass(frozen=True)
class Mention:
    """A PERSON or ORG mention (mentions.csv row before ids are assigned)."""

    label: str  # PERSON | ORG | DATE
    text: str
    start: int
    end: int
    sentence_index: int
    canonical: str
    rule: str


@dataclass
class Entity:
    """One person or organisation of one article, with all its mentions merged."""

    label: str  # PERSON | ORG
    name: str  # canonical: the fullest form in the article
    mentions: list[Mention] = field(default_factory=list)
    title: str = ""  # people: role/office as stated
    abbreviation: str = ""  # organisations
    kind: str = ""  # organisations: government, military, ...
    country: str = ""
    rule: str = ""  # the rule that decided the entity (its strongest mention)

    @property
    def surfaces(self) -> list[str]:
        seen: dict[str, None] = {}
        for m in sorted(self.mentions, key=lambda m: m.start):
            seen.setdefault(m.text, None)
        return list(seen)

    @property
    def first(self) -> Mention:
        return min(self.mentions, key=lambda m: m.start)


@dataclass(frozen=True)
class Agreement:
    """One agreement statement (agreements.csv row before ids are assigned)."""

    start: int  # offset of the predicate in the clean text
    sentence_index: int
    predicate: str
    status: str
    content: str
    sentence: str
    rule: str
    date: str = ""
    event: str = ""
    parties: tuple[str, ...] = ()
    instrument: str = ""
    end: int = 0  # end of the statement (its predicate and auxiliaries); it starts at ``span_start``
    span_start: int = -1  # start of the statement (its content, else the predicate); -1: the predicate's
    date_from: str = ""  # sentence | event | published | context | "" (no date)
    party_people: tuple[str, ...] = ()
    party_organizations: tuple[str, ...] = ()
    party_countries: tuple[str, ...] = ()  # ISO 3166 codes (JP, US), the parties' own or their people's
    repeat_of: int = -1  # ``start`` of an earlier statement of the article that states the same agreement


@dataclass(frozen=True)
class Event:
    """One meeting, summit, call, consultation or signing of one article (events.csv row before ids)."""

    start: int  # first mention in the clean text
    end: int
    sentence_index: int
    event: str  # as first written
    canonical: str  # the name the rules give it (日米安全保障協議委員会(2+2)), else as written
    date: str
    place: str
    participants: tuple[str, ...]
    countries: tuple[str, ...]  # ISO 3166 codes
    kind: str  # meeting | summit | call | consultation | signing | other
    rule: str  # the kind rule that classified it
    key: str = ""  # the same for the same event in other articles: canonical name (with its people when generic) @ date
    agreements: tuple[int, ...] = ()  # ``start`` of each agreement statement that belongs to it


@dataclass(frozen=True)
class Amount:
    """A sum of money, a count of people or things, or a percentage (amounts.csv row before ids are assigned)."""

    start: int
    end: int
    text: str  # as written, with its qualifiers (約5万人, 1000億円超)
    value: str  # the number in plain digits (1200000000000, 1.5); empty when the text gives none (数百億円, 3〜5人)
    unit: str  # 円, ドル, 人, 機, 隻, か国, % …
    kind: str  # money | count | ratio
    approx: bool  # hedged or bounded (約, 以上, 超 …), or no single value
    sentence_index: int
    rule: str


@dataclass
class ParsedArticle:
    """What the rule families see: the clean text, its sentences and one GiNZA Doc per sentence."""

    article_id: str
    text: str
    sentences: list[Sentence]
    docs: (
        list | None
    )  # list[spacy.tokens.Doc] (None: not loaded yet), docs[i].text == text[sentences[i].start:sentences[i].end]
    published: str | None = None


@dataclass
class Extraction:
    """Everything the rule families found in one article."""

    article_id: str
    mentions: list[Mention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    people: list[Entity] = field(default_factory=list)
    organizations: list[Entity] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    key: str = ""  # its article's key and its results' digests ("" when not from the caches): equal keys, equal results


@dataclass
class ArticleFacts:
    """What articles.csv says of an article beyond the Article record itself."""

    title: str = ""
    source: str = ""
    published: str = ""
    published_from: str = "none"
