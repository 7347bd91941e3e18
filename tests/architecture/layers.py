"""An import-linter contract type for the house rule "dependencies point down", per module.

import-linter's own `layers` contract places whole packages in layers; here a layer is decided
per module: every app's pages modules (`views`, `urls`, `api`, `templatetags` and `*_views`,
`*_urls`) sit in the pages layer whatever their app, every other module in its app's layer.
A module may import its own layer and the layers below; any direct import of a higher layer is
reported (an indirect chain upward needs a direct step upward, so direct imports are enough).
Every module must fall in a layer, so a new app cannot slip past the contract.

The contract (`.importlinter`):

    [importlinter:contract:layers]
    type = per_module_layers
    layers =
        ops
        urls : api : portal
        core : jobs
    pages_layer = api
    ignore_imports =
        motcua.a.b -> motcua.c.d

Each layer lists its apps (the modules right under the root package), highest first, separated
by `:` like import-linter's non-independent layers; `pages_layer` names an app whose layer also
holds every pages module.
"""

from __future__ import annotations

from typing import Any

from grimp import ImportGraph
from importlinter.application import contract_utils, output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck, InvalidContractOptions

PAGE_NAMES = frozenset({"views", "urls", "api", "templatetags"})
PAGE_SUFFIXES = ("_views", "_urls")


def is_page(module: str) -> bool:
    """motcua.<app>.views, motcua.<app>.track_views, motcua.<app>.templatetags.x, ..."""
    return any(part in PAGE_NAMES or part.endswith(PAGE_SUFFIXES) for part in module.split(".")[2:])


def _label(names: list[str], index: int) -> str:
    apps = [a.strip() for a in names[index].split(":")]
    return f"layer {index + 1}: {apps[0]}{'…' if len(apps) > 1 else ''}"


class PerModuleLayersContract(Contract):
    type_name = "per_module_layers"

    layers = fields.ListField(subfield=fields.StringField())
    pages_layer = fields.StringField()
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(
        contract_utils.AlertLevel, default=contract_utils.AlertLevel.ERROR
    )

    def _parsed(self) -> tuple[list[str], dict[str, int]]:
        """(layers as written, highest first; {app: its layer's index})."""
        names = [raw.strip() for raw in self.layers]  # type: ignore[attr-defined]
        apps: dict[str, int] = {}
        for index, raw in enumerate(names):
            for app in (m.strip() for m in raw.split(":")):
                if app in apps:
                    raise InvalidContractOptions({"layers": f"{app!r} is in more than one layer."})
                apps[app] = index
        if self.pages_layer not in apps:  # type: ignore[attr-defined]
            raise InvalidContractOptions({"pages_layer": f"{self.pages_layer!r} is in no layer."})
        return names, apps

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[attr-defined]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[attr-defined]
        )
        names, apps = self._parsed()
        root = self.session_options["root_packages"][0] if "root_packages" in self.session_options else (
            self.session_options["root_package"])
        pages = apps[self.pages_layer]  # type: ignore[attr-defined]

        def layer(module: str) -> int | None:
            if is_page(module):
                return pages
            parts = module.split(".")
            return apps.get(parts[1]) if len(parts) > 1 else apps.get("__init__")

        unplaced = sorted({m.split(".")[1] if "." in m else m for m in graph.modules
                           if m.startswith(root + ".") and layer(m) is None})
        violations: list[dict[str, Any]] = []
        for importer in sorted(graph.modules):
            if not importer.startswith(root + ".") or (low := layer(importer)) is None:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                high = layer(imported) if imported.startswith(root + ".") else None
                if high is not None and high < low:
                    lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]
                    violations.append({"importer": importer, "imported": imported, "lines": lines,
                                       "from": _label(names, low), "to": _label(names, high)})
        return ContractCheck(
            kept=not (violations or unplaced),
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"violations": violations, "unplaced": unplaced},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for app in check.metadata["unplaced"]:
            output.print_error(f"{app}: in no layer (add it to the contract's layers)")
        for v in check.metadata["violations"]:
            lines = ", ".join(f"l.{n}" for n in v["lines"])
            output.print_error(f"{v['importer']} ({v['from']}) imports {v['imported']} ({v['to']}), {lines}",
                               bold=False)
        output.new_line()
