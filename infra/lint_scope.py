"""Every query on a scoped table goes through ``scoped(...)``: a check run by ``make lint``.

A query is a call of ``select``, ``update`` or ``delete`` (or ``.select_from``) naming a scoped model — the model
itself or one of its columns. It passes when the call sits inside a ``scoped(...)`` call, when the statement it is
assigned to is later passed to ``scoped(...)`` in the same function, or when its function is on one of the two
lists below, each entry with its reason, or when the statement keys the rows by an attribute of a record the
function already holds (``AidAward.id == award.id``, ``AidPayment.batch_id == batch.id``): a re-read or lock
of rows below a record that came through a scoped look-up.

Run as ``python -m infra.lint_scope [paths...]``: exit status 1 and one line per query when any is left unscoped,
or (over the whole tree) when an allow-list entry no longer excuses any query.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Models whose rows belong to an org unit (and, for the graduate tables, to a graduate reached by handoffs).
SCOPED_MODELS = frozenset(
    {
        "Family",
        "FamilyMember",
        "Consent",
        "EconomicCheck",
        "Graduate",
        "Application",
        "Position",
        "Handoff",
        "Assignment",
        "AidApplication",
        "AidAward",
        "AidBudget",
        "AidNotice",
        "AidPayment",
        "AidWorkStudy",
        "AidDonationFund",
        "AidDonationAllocation",
        "AidPolicyClaim",
        "AidFundBudget",
        "NationalAid",
        "CountySurvey",
        "NarrativeReport",
        "TypicalExperience",
        "ServiceContract",
        "ServiceReferral",
        "VocationalTrack",
        "GoldenPairing",
        "PairingStudent",
        "Mentor",
        "MentorPairing",
        "MentorContact",
        "Venture",
        "Contest",
        "ContestEntry",
        "VentureSupport",
    }
)
QUERY_FUNCTIONS = frozenset({"select", "update", "delete"})
# scoped() itself; tracking's application filter, which is scoped() plus "the enterprise sees only what was
# applied to"; aid's, which is scoped() with the graduate's own filings; and within_units(), the filter of a
# report by its own units; tracking's mentor and contest filters, which are scoped() plus "the unions above the
# principal's own" (a city mentor or contest serves every county), and its filters of pairings and of projects,
# entries and supports, which are scoped() with the graduate rules
SCOPE_FUNCTIONS = frozenset(
    {
        "scoped",
        "visible_applications",
        "visible_aid_applications",
        "within_units",
        "visible_mentors",
        "visible_contests",
        "scoped_pairings",
        "scoped_graduate_rows",
    }
)

# Modules that are neither routers nor services: tables, request/response shapes, operator commands run by an
# administrator over the whole city, benchmarks, the demo world's seeding, and the scope module itself.
SKIPPED_FILES = frozenset({"models.py", "schemas.py", "commands.py", "bench.py"})
SKIPPED_DIRS = frozenset({"services/demo"})
SKIPPED_MODULES = frozenset({"services.security.scope"})

# Queries that must see the whole city, or that read below a record the caller already holds through a scoped
# look-up but are keyed by a plain id argument.
CITY_WIDE: frozenset[tuple[str, str]] = frozenset(
    {
        # an ID number and an account are registered once in the city: duplicates are looked for everywhere
        ("services.registry.graduates", "_graduate_with_id"),
        ("services.registry.graduates", "_graduate_of_user"),
        ("services.registry.families", "check_person_free"),
        ("services.registry.graduates", "_family_by_head"),
        ("services.aid.budgets", "set_budget"),  # one budget per county, year and fund source
        # rows under a family the caller already holds through access.get_family
        ("services.registry.access", "members_of"),
        ("services.registry.graduates", "_member_by_bidx"),
        ("services.registry.checks", "consents_of"),
        ("services.registry.checks", "consent_in_force"),
        ("services.registry.checks", "checks_of"),
        # server-side reads by id for other domains, which checked the record they start from
        ("services.registry.lookups", "is_archived"),
        ("services.registry.lookups", "graduate_place"),
        ("services.registry.lookups", "graduate_for_user"),
        ("services.registry.lookups", "graduate_profiles"),
        # one graduate for matching, decided on with can_read_graduate before anything of it is used
        ("services.registry.lookups", "_matching_profile_select"),
        # rows under a member the caller already holds
        ("services.registry.families", "_unlink_graduates"),
        # the spreadsheet import matches rows against the whole registry by blind index, inside a job whose
        # org unit was checked when it was created
        ("services.registry.import_match", "RegistryChecks._check_families"),
        ("services.registry.import_match", "RegistryChecks._check_members"),
        ("services.registry.import_match", "RegistryChecks._check_graduates"),
        ("services.registry.import_write", "RegistryWrites._members_of"),
        ("services.registry.import_write", "RegistryWrites._write_families"),
        ("services.registry.import_write", "RegistryWrites._write_members_of_archived"),
        ("services.registry.import_write", "RegistryWrites._write_graduates"),
        # the daily job takes down every notice whose period has ended
        ("services.aid.notices", "take_down_expired"),
        # reports narrow every measure to the report's own units (within_units, Ctx.org_filter)
        ("services.reports.measures", "programs"),  # the list of program codes, no figures
        ("services.reports.measures", "_placed_by_kind"),  # outer-joined onto the report's graduates, never alone
    }
)

# Jobs and commands that work over the whole city for no one in particular: they take no principal, and no
# route reaches them with one.
SYSTEM_JOBS: frozenset[tuple[str, str]] = frozenset(
    {
        ("services.catalog.positions", "close_expired_positions"),  # the nightly close of positions past deadline
        ("services.tracking.applications", "expire_past_deadline"),  # the nightly expiry of stale applications
        ("services.tracking.status", "refresh_statuses"),  # the nightly employment-status refresh
        ("services.tracking.contacts", "create_follow_up_reminders"),  # the morning follow-up reminders
        ("services.matches.occupations", "backfill"),  # occupations suggested for every position lacking them
        ("services.matches.stored", "graduate_id_chunks"),  # the nightly rematch fan-out
        ("services.matches.stored", "stale_graduate_ids"),  # the rematch catch-up after a catalog change
        ("services.matches.stored", "prune_unshowable"),  # stored matches of positions no longer showable
        ("services.matches.holder", "count_showable"),  # the index's own bookkeeping
        ("services.matches.holder", "fingerprints"),
        # the morning deadline reminders leave out the counties that have handed in what a deadline asks for
        ("services.reports.campaign.surveys", "submitted_counties"),
        ("services.reports.campaign.narratives", "submitted_units"),
    }
)

# Reads and locks keyed by a record the caller already reached through a scoped look-up (a graduate through
# readable_graduate / servable_graduate, a position through get_position, an application through
# get_application), or uniqueness checks that must see the whole city.
UNDER_A_CHECKED_RECORD: frozenset[tuple[str, str]] = frozenset(
    {
        ("services.catalog.positions", "record_signing"),  # the position of an application being signed
        ("services.catalog.positions", "release_signing"),
        ("services.catalog.program_rules", "create_rule_set"),  # city rule editors only; reads positions by program
        ("services.tracking.applications", "_existing"),  # one application per graduate and position, city-wide
        ("services.tracking.handoffs", "_open_handoff"),  # one open handoff per graduate, city-wide
        ("services.catalog.purchased", "create_contract"),  # a contract number is registered once, city-wide
        # referral counts under contracts the caller already reached through get_contract / list_contracts
        ("services.tracking.referrals", "contract_figures"),
        ("services.catalog.pairings", "create_pairing"),  # an agreement number is registered once, city-wide
        # pairing students under pairings the caller already reached through get_pairing / list_pairings (an
        # enterprise: its own pairing), and the seats taken of a pairing, counted city-wide
        ("services.tracking.pairings", "pairing_figures"),
        ("services.tracking.pairings", "list_students"),
        ("services.tracking.pairings", "join_problem"),
        ("services.tracking.pairings", "add_student"),  # one row per pairing and student, city-wide
        ("services.tracking.pairings", "signed_application"),  # of a pairing student the caller already holds
        # the 中职/技工 schools of a person another domain already holds (a pairing's student)
        ("services.registry.vocational", "vocational_schools"),
        # pairing counts and names under mentors and pairings the caller already reached
        ("services.tracking.mentors", "pairing_counts"),
        ("services.tracking.mentors", "mentor_names"),
        ("services.tracking.caseload", "_responsible"),  # the counselor of graduates already in the caller's view
        # a subquery correlated to the rows of the caller's own (scoped) query: the counselor of each
        ("services.tracking.caseload", "assigned_counselor"),
        ("services.tracking.caseload", "_handed_in_ids"),  # the caseload reach of a counselor being assigned
        ("services.tracking.status", "derived_status"),  # the status of one graduate the caller holds
        ("services.tracking.status", "current_status"),
        ("services.tracking.status", "status_as_of"),
        ("services.aid.notices", "notice_lines"),  # the lines of a notice reached through get_notice
        # the reviews, notice and objections of an award reached through get_award or list_awards
        ("services.aid.payments", "payment_blockers"),
    }
)

# Queries narrowed by a GraduateScope the caller computed with services.security.scope.graduate_scope (or, for
# the report tables, built from the report's own units): ``scope.clause(...)`` is the same decision as scoped().
GRADUATE_SCOPE_GIVEN: frozenset[tuple[str, str]] = frozenset(
    {
        ("services.tracking.contacts", "_overdue_query"),
        ("services.tracking.services_delivered", "_graduates_in"),
        # built on the scope's bound clause, whose ids have no value: it runs only with GraduateScope.params()
        ("services.tracking.services_delivered", "_gaps_statement"),
        ("services.tracking.figures", "compliance"),  # the report's units, as _graduates_in was given them
        ("services.tracking.views", "_caseload_statement"),  # the scope's bound clause, as _gaps_statement
        ("services.tracking.views", "_count_caseload"),  # workbench's conditions, the scope's clause among them
        ("services.tracking.views", "fresh_matches"),
        ("services.matches.service", "position_candidates"),  # the names of the ranked page, of the pool's scope
    }
)

ALLOWED = CITY_WIDE | SYSTEM_JOBS | UNDER_A_CHECKED_RECORD | GRADUATE_SCOPE_GIVEN


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    line: int
    function: str
    model: str

    def __str__(self) -> str:
        rel = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{rel}:{self.line}: query on {self.model} in {self.function} does not go through scoped(...)"


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _model_of(node: ast.expr) -> str | None:
    """The scoped model an argument names: ``Graduate``, ``Graduate.id`` or ``Graduate.id.label("x")``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "label":
        return _model_of(node.func.value)
    if isinstance(node, ast.Name) and node.id in SCOPED_MODELS:
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in SCOPED_MODELS:
        return node.value.id
    return None


def _query_model(call: ast.Call) -> str | None:
    name = _call_name(call.func)
    plain_query = name in QUERY_FUNCTIONS and isinstance(call.func, ast.Name)
    if not plain_query and not (name == "select_from" and isinstance(call.func, ast.Attribute)):
        return None
    for arg in call.args:
        model = _model_of(arg)
        if model is not None:
            return model
    return None


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item


def _parents(root: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(root) for child in ast.iter_child_nodes(parent)}


def _inside_scope_call(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    current = parents.get(node)
    while current is not None:
        if isinstance(current, ast.Call) and _call_name(current.func) in SCOPE_FUNCTIONS:
            return True
        if isinstance(current, ast.stmt):
            return False
        current = parents.get(current)
    return False


def _scoped_names(function: ast.AST) -> set[str]:
    """Names passed as the statement to ``scoped(...)`` within ``function``."""
    out: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and _call_name(node.func) in SCOPE_FUNCTIONS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name):
                out.add(first.id)
    return out


def _assigned_name(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    current = parents.get(node)
    while current is not None and not isinstance(current, ast.stmt):
        current = parents.get(current)
    if isinstance(current, ast.Assign) and len(current.targets) == 1 and isinstance(current.targets[0], ast.Name):
        return current.targets[0].id
    if isinstance(current, ast.AnnAssign) and isinstance(current.target, ast.Name):
        return current.target.id
    return None


def _is_key(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def _keyed_by_held_record(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """The enclosing statement compares a scoped model's column with an attribute of a local object."""
    statement = parents.get(node)
    while statement is not None and not isinstance(statement, ast.stmt):
        statement = parents.get(statement)
    if statement is None:
        return False
    for compare in ast.walk(statement):
        if not isinstance(compare, ast.Compare) or len(compare.ops) != 1 or not isinstance(compare.ops[0], ast.Eq):
            continue
        left, right = compare.left, compare.comparators[0]
        for column, held in ((left, right), (right, left)):
            if (
                _model_of(column) is not None
                and isinstance(column, ast.Attribute)
                and _is_key(column.attr)
                and isinstance(held, ast.Attribute)
                and _is_key(held.attr)
                and isinstance(held.value, ast.Name)
                and held.value.id[:1].islower()  # a local record, not another model joined in
            ):
                return True
    return False


def module_name(path: Path) -> str:
    rel = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else Path(path.name)
    return ".".join(rel.with_suffix("").parts)


def check_source(
    source: str,
    *,
    path: Path,
    module: str,
    allowed: frozenset[tuple[str, str]] = ALLOWED,
    used: set[tuple[str, str]] | None = None,
) -> list[Finding]:
    """The unscoped queries of one module; ``used`` collects the allow-list entries that excused a query."""
    tree = ast.parse(source, filename=str(path))
    findings: list[Finding] = []
    for qualname, function in _functions(tree):
        if (module, qualname) in allowed:
            if used is not None and any(
                isinstance(n, ast.Call) and _query_model(n) is not None for n in ast.walk(function)
            ):
                used.add((module, qualname))
            continue
        parents = _parents(function)
        scoped_names = _scoped_names(function)
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            model = _query_model(node)
            if model is None or _inside_scope_call(node, parents):
                continue
            if _assigned_name(node, parents) in scoped_names or _keyed_by_held_record(node, parents):
                continue
            findings.append(Finding(path, node.lineno, qualname, model))
    return findings


def checked_files(paths: Iterable[Path]) -> Iterator[Path]:
    for base in paths:
        for path in sorted(base.rglob("*.py")) if base.is_dir() else [base]:
            rel = path.resolve().relative_to(ROOT).as_posix() if path.resolve().is_relative_to(ROOT) else path.name
            if path.name in SKIPPED_FILES or any(rel.startswith(d + "/") for d in SKIPPED_DIRS):
                continue
            if module_name(path) in SKIPPED_MODULES:
                continue
            yield path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or [ROOT / "services"]
    used: set[tuple[str, str]] = set()
    findings = [
        finding
        for path in checked_files(paths)
        for finding in check_source(path.read_text("utf-8"), path=path, module=module_name(path), used=used)
    ]
    for finding in findings:
        print(finding)
    stale = sorted(ALLOWED - used) if not args else []
    for module, function in stale:
        print(f"allow-list entry {module}.{function} excuses no query: remove it")
    if findings or stale:
        print(f"{len(findings)} queries on scoped tables do not go through scoped(...)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
