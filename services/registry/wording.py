"""Option cells in the clerk's wording: 农业户口 for 农村户口, 离异 for 离婚, 低保 for the full 建档标准 text.

An option cell is understood, in this order, as a code or an exact option name (``Vocabulary.resolve``), a
wording of the synonym table (``data/option_synonyms.csv``: enumeration, wording, option, where the wording comes
from), or a wording the org's clerk confirmed once (``ImportMapping``). A wording the table gives two options for
(“患病” → 慢性病 or 患大病) is never guessed: it stays unmapped with both options suggested, and the clerk chooses.
Anything else gets its closest options as suggestions (rapidfuzz).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from services.refdata.api import Vocabularies, Vocabulary

LISTED_OPTIONS = 12  # an enumeration this small is listed whole in the error message
SUGGESTIONS = 3
SCORE_CUTOFF = 40.0


@dataclass(frozen=True, slots=True)
class Synonym:
    enumeration: str
    wording: str
    option: str  # the option's name as the enumeration has it
    source: str  # where the wording comes from


def wording_key(text: object) -> str:
    """A cell as compared with wordings: full-width folded, no spaces, no stars, upper and lower case alike."""
    value = unicodedata.normalize("NFKC", str(text))
    return "".join(value.split()).replace("*", "").casefold()[:100]


@lru_cache(maxsize=1)
def synonyms() -> dict[str, dict[str, tuple[Synonym, ...]]]:
    """The synonym table: enumeration → wording key → the options it stands for (two or more: ambiguous)."""
    text = resources.files("services.registry").joinpath("data", "option_synonyms.csv").read_text("utf-8")
    out: dict[str, dict[str, tuple[Synonym, ...]]] = {}
    for row in csv.DictReader(text.splitlines()):
        syn = Synonym(row["enumeration"], row["wording"], row["option"], row["source"])
        by_key = out.setdefault(syn.enumeration, {})
        by_key[wording_key(syn.wording)] = (*by_key.get(wording_key(syn.wording), ()), syn)
    return out


@dataclass
class WordedVocabulary(Vocabulary):
    """A vocabulary that also understands the synonym table and an org's confirmed wordings."""

    extra: dict[str, str] = field(default_factory=dict)  # wording key → code
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)  # wording key → the codes it may mean
    _suggested: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def resolve(self, raw: object) -> str | None:
        code = super().resolve(raw)
        if code is not None or raw is None:
            return code
        return self.extra.get(wording_key(raw))

    def suggest(self, raw: object) -> tuple[str, ...]:
        key = wording_key(raw)
        if key not in self._suggested:
            self._suggested[key] = self.ambiguous.get(key) or closest(self, key, extra=self.extra)
        return self._suggested[key]


def closest(voc: Vocabulary, key: str, *, extra: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The codes of the options nearest to a wording key (names and known wordings alike), best first."""
    choices: list[tuple[str, str]] = [(wording_key(name), code) for code, name in voc.names.items()]
    choices += list((extra or {}).items())
    found = process.extract(
        key, [c[0] for c in choices], scorer=fuzz.WRatio, limit=SUGGESTIONS * 3, score_cutoff=SCORE_CUTOFF
    )
    codes: list[str] = []
    for _, _, index in found:
        code = choices[index][1]
        if code not in codes:
            codes.append(code)
    return tuple(codes[:SUGGESTIONS])


def suggestions(voc: Vocabulary, raw: object) -> tuple[str, ...]:
    """Suggested codes for a wording that is not an option (the synonym table's options when it is ambiguous)."""
    if isinstance(voc, WordedVocabulary):
        return voc.suggest(raw)
    return closest(voc, wording_key(raw))


def is_ambiguous(voc: Vocabulary, raw: object) -> bool:
    return isinstance(voc, WordedVocabulary) and wording_key(raw) in voc.ambiguous


def not_an_option(voc: Vocabulary, raw: object, shown: str) -> str:
    """The reason for a cell that is no option: the valid options listed (or the closest, for long lists)."""
    names = list(voc.names.values())
    suggested = [voc.names[c] for c in suggestions(voc, raw) if c in voc.names]
    if is_ambiguous(voc, raw):
        hint = f"可能是：{'、'.join(suggested)}，请选择其一"
    elif len(names) <= LISTED_OPTIONS:
        hint = f"可选：{'、'.join(names)}"
    elif suggested:
        hint = f"最接近的选项：{'、'.join(suggested)}；全部选项见导入模板"
    else:
        hint = "全部选项见导入模板"
    return f"“{shown}”不是{voc.title}的可选项（{hint}）"


def worded(vocab: Vocabularies, confirmed: Mapping[str, Mapping[str, str]] | None = None) -> Vocabularies:
    """The vocabularies of an import run: each enumeration with the synonym table and the org's confirmed
    wordings (``confirmed``: enumeration → wording key → code; a confirmed wording settles an ambiguous one)."""
    table = synonyms()
    out: dict[str, Vocabulary] = {}
    for key in vocab:
        voc = vocab[key]
        worded_voc = WordedVocabulary(
            key=voc.key, title=voc.title, names=voc.names, by_name=voc.by_name, flags=voc.flags
        )
        for wkey, entries in table.get(key, {}).items():
            codes = tuple(dict.fromkeys(c for s in entries if (c := voc.by_name.get(s.option)) is not None))
            if len(codes) == 1:
                worded_voc.extra[wkey] = codes[0]
            elif len(codes) > 1:
                worded_voc.ambiguous[wkey] = codes
        for wkey, code in (confirmed or {}).get(key, {}).items():
            if code in voc.names:
                worded_voc.extra[wkey] = code
                worded_voc.ambiguous.pop(wkey, None)
        out[key] = worded_voc
    return Vocabularies(out)
