"""Matching for Sunshine Employment (阳光就业): graduates of hardship families ↔ positions, with reasons.

A pure library: records in, ranked ids with reasons out. It reads reference data files from a directory
(`load_catalogs`) and never imports the service, its database, HTTP or Celery code.

Method, in the order a ranking runs:

1. Hard rules (`matching.rules`) are boolean masks over all positions (or all graduates) at once:
   graduate open to matching, position open, employer verified, deadline not passed, headcount not filled,
   kind wanted, minimum education and allowed levels, age limit, graduation window, major restriction
   (exact major, 4-digit class or 2-digit discipline), local household registration, required flags
   (certificates), and students: a person still in school takes full-time posts and programs only when
   graduating before the position starts.
   A pair failing any rule is never returned, in either direction, at any k.
2. Features (`matching.features`), each in [0, 1] and computed vectorised: ``major`` (exact / class /
   discipline / open to any major), ``occupation`` (the bridge: the major's official 职业面向 occupations —
   names, alias job titles, the orientation sentence — as a TF-IDF profile compared with the position text;
   undergraduate majors borrow the profiles of the nearest vocational majors; CSCO codes on a position
   match directly), ``text`` (char 2–3-gram TF-IDF cosine of the graduate's major, skills and wishes with
   the position's title and description), ``place`` (same county / city / province, else distance decay;
   home place for programs that want locals; remote), ``pay``, ``kind``, ``freshness`` and ``hardship``
   (the position prioritises hardship-family graduates and the graduate is one).
3. Score = Σ weight × feature with a `Weights` object (defaults documented there; `matching.learning`
   fits new ones from outcomes by pairwise logistic regression and `decide` checks them on a holdout), plus
   a tier above it (`matching.features.tier`): fit of field first — an occupation of the major (official
   职业面向, or a link through 接续专业, similar majors, the 专业类 or the major's name, see
   `matching.catalogs.OccupationLink`) above the same 小类 above the same 中类 above text similarity — and
   place, pay, kind and freshness order within a band, unless the graduate's priority is place or pay.
   A position's occupations come from its poster or from the title classifier (`matching.occupations`).
4. Reasons (`matching.explain`): the largest contributions become short Chinese phrases that are true
   for the pair ("专业对口：软件工程 ↔ 计算机类", "职业面向：护理 → 内科护士（2-05-08-01）",
   "地点：蒙城县（同县）" only for the graduate's own county, "还招 2 人"); a feature equal for every item
   of a list is no reason; every match also carries its rule checks.

`MatchIndex` holds positions as numpy columns plus an inverted char n-gram index, ranks positions for a
graduate (`rank_positions`), graduates for a position (`rank_graduates`) and many graduates at once
(`rank_batch`, optionally in worker processes), and takes `add` / `update` / `close` without a rebuild.
The graduate record has no field for ethnicity, sex, political status, health or disability, marital
status or household type, so none of them can change a ranking.
"""

from matching.catalogs import Catalogs, Gazetteer, Major, MajorCatalog, OccupationCatalog, load_catalogs
from matching.explain import PairFacts, reasons
from matching.features import FEATURES, Weights
from matching.fuzzy import cdist, extract, extract_one, near_duplicates, resolve_major
from matching.index import BatchResult, GraduateTable, Match, MatchIndex
from matching.learning import Decision, WeightLearner, decide, evaluate
from matching.records import KINDS, Education, GraduateRecord, Kind, PositionRecord, Status
from matching.rules import RULES, RuleCheck, explain_rules
from matching.text import TextSpace

__all__ = [
    "FEATURES",
    "KINDS",
    "RULES",
    "BatchResult",
    "Catalogs",
    "Decision",
    "Education",
    "Gazetteer",
    "GraduateRecord",
    "GraduateTable",
    "Kind",
    "Major",
    "MajorCatalog",
    "Match",
    "MatchIndex",
    "OccupationCatalog",
    "PairFacts",
    "PositionRecord",
    "RuleCheck",
    "Status",
    "TextSpace",
    "WeightLearner",
    "Weights",
    "cdist",
    "decide",
    "evaluate",
    "explain_rules",
    "extract",
    "extract_one",
    "load_catalogs",
    "near_duplicates",
    "reasons",
    "resolve_major",
]
