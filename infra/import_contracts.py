"""An import-linter contract: a domain reaches another domain only through that domain's surface module.

Registered in ``pyproject.toml`` (``contract_types = ["surfaces: infra.import_contracts.SurfaceContract"]``) and run
by ``lint-imports`` in ``make lint``. For each package in ``domains``, a module outside it may import the package's
surface (``<domain>.api``) and the bare package, nothing else — not its models, services, routers or schemas.
The modules in ``allowed_importers`` (the entry points and the composition layer: the app, the CLI, the router
list, the model list for Alembic, the demo, the console, the jobs and the benchmarks) are exempt.

import-linter's own ``protected`` contract lists the modules it guards one by one; this one guards everything
of a domain but its surface, so a module added to a domain later is private from the start.
"""

from __future__ import annotations

from dataclasses import dataclass

import grimp
from importlinter import Contract, ContractCheck, fields, output


@dataclass(frozen=True, slots=True)
class Breach:
    importer: str
    imported: str
    line_numbers: tuple[int, ...]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


class SurfaceContract(Contract):
    """Options: ``domains`` (packages), ``surface`` (the surface module's name, default ``api``),
    ``allowed_importers`` (packages exempt from the rule)."""

    type_name = "surfaces"

    domains = fields.ListField(subfield=fields.ModuleField())
    surface = fields.StringField(required=False, default="api")
    allowed_importers = fields.ListField(subfield=fields.ModuleField(), required=False, default=[])

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:  # noqa: ARG002 (the base signature)
        domains = [m.name for m in self.domains]  # type: ignore[attr-defined]
        exempt = [m.name for m in self.allowed_importers]  # type: ignore[attr-defined]
        surface_name = str(self.surface)
        breaches: list[Breach] = []
        for domain in sorted(domains):
            if domain not in graph.modules:
                continue
            public = {domain, f"{domain}.{surface_name}"}
            for imported in sorted(({domain} | graph.find_descendants(domain)) - public):
                for importer in sorted(graph.find_modules_that_directly_import(imported)):
                    if _within(importer, domain) or any(_within(importer, e) for e in exempt):
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = tuple(sorted(int(d["line_number"]) for d in details))
                    breaches.append(Breach(importer, imported, lines))
        return ContractCheck(kept=not breaches, metadata={"breaches": breaches})

    def render_broken_contract(self, check: ContractCheck) -> None:
        breaches: list[Breach] = check.metadata["breaches"]
        surface_name = str(self.surface)
        for breach in breaches:
            domain = next(m.name for m in self.domains if _within(breach.imported, m.name))  # type: ignore[attr-defined]
            lines = ", ".join(map(str, breach.line_numbers))
            output.print_error(
                f"- {breach.importer} -> {breach.imported} (l.{lines}): go through {domain}.{surface_name}",
                bold=False,
            )
            output.new_line()
