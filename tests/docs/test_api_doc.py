"""docs/api.md's table of error codes against the codes the API can send, read from the source.

The codes are collected with `ast` from `src/motcua/**/*.py`, not by importing the API, so the
check holds wherever the error helpers live:
- `ApiError(status, "<code>", …)` and `error_body("<code>", …)`;
- the domain errors the dossier API turns into API errors (`DossierError` and its subclasses,
  found by class name): each call's `code="<code>"`, or the class's `default_code` when a call
  passes none;
- a small factory (`def _refused(message, code): return FileRefused(…, code=code)`) is followed
  to its call sites in the same module.
A code argument that is none of these (a variable, an f-string) fails the test: it could hide a
code from the table. Passing a caught error's `exc.code` on is the one exception.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "motcua"
DOC = ROOT / "docs" / "api.md"

API_HELPERS = {"ApiError": 1, "error_body": 0}  # name → position of the code argument
DOMAIN_ROOT = "DossierError"
# Apps whose domain errors never reach the API: ratings are taken on the citizen's pages only,
# and the submission wizard's uploads are checked again by dossiers.files (same codes) when the
# API receives a file. Neither app has an API module (checked below).
NOT_IN_API = {"feedback", "submissions"}


@dataclass(frozen=True)
class Site:
    code: str
    status: int | None
    where: str


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _modules() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts
    }


def _domain_classes(trees) -> dict[str, tuple[int | None, str | None]]:
    """DossierError and its subclasses: name → (status, default_code), inherited when not set."""
    bases: dict[str, list[str]] = {}
    own: dict[str, dict[str, object]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [b for b in map(_name, node.bases) if b]
                own[node.name] = {
                    target.id: stmt.value.value
                    for stmt in node.body
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
                    for target in stmt.targets
                    if isinstance(target, ast.Name)
                }

    def lineage(name: str) -> list[str]:
        if name == DOMAIN_ROOT:
            return [name]
        for base in bases.get(name, []):
            if base != name and (chain := lineage(base)):
                return [name, *chain]
        return []

    classes = {}
    for name in bases:
        if chain := lineage(name):
            attrs: dict[str, object] = {}
            for cls in reversed(chain):
                attrs.update(own[cls])
            classes[name] = (attrs.get("status"), attrs.get("default_code"))
    return classes


def _code_argument(call: ast.Call, position: int) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == "code":
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _status(call: ast.Call, parents: dict[ast.AST, ast.AST], domain) -> int | None:
    name = _name(call.func)
    if name == "ApiError":
        first = call.args[0] if call.args else None
        return first.value if isinstance(first, ast.Constant) else None
    if name in domain:
        return domain[name][0]
    outer = parents.get(call)  # error_body(...) inside create_response(..., status=404) or JsonResponse
    if isinstance(outer, ast.Call):
        for keyword in outer.keywords:
            if keyword.arg == "status" and isinstance(keyword.value, ast.Constant):
                return keyword.value.value
    return None


@cache
def sent_codes() -> dict[str, set[Site]]:
    trees = _modules()
    domain = _domain_classes(trees)
    sites: dict[str, set[Site]] = defaultdict(set)
    # (module, function) → (parameter position, parameter name, status); followed within its module
    factories: dict[tuple[Path, str], tuple[int, str, int | None]] = {}
    unresolved = []

    for path, tree in trees.items():
        relative = path.relative_to(SRC.parent).as_posix()
        in_api = path.relative_to(SRC).parts[0] not in NOT_IN_API
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        functions = {child: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                     for child in ast.walk(node)}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = _name(call.func)
            if name in API_HELPERS:
                code = _code_argument(call, API_HELPERS[name])
            elif name in domain and in_api:
                if len(call.args) > 1:  # the house style: the message positional, the rest by keyword
                    unresolved.append(f"{relative}:{call.lineno}: {ast.unparse(call)[:100]}")
                    continue
                code = _code_argument(call, 1)
                if code is None:
                    default = domain[name][1]
                    if default:
                        sites[default].add(Site(default, domain[name][0], f"{relative}:{call.lineno}"))
                    continue
            else:
                continue
            where = f"{relative}:{call.lineno}"
            status = _status(call, parents, domain)
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                sites[code.value].add(Site(code.value, status, where))
            elif isinstance(code, ast.Attribute) and code.attr == "code":
                pass  # a caught error passed on: its code is counted where it was raised
            elif isinstance(code, ast.Name) and (function := functions.get(call)) is not None and code.id in (
                parameters := [a.arg for a in function.args.args]
            ):
                factories[path, function.name] = (parameters.index(code.id), code.id, status)
            else:
                unresolved.append(f"{where}: {ast.unparse(call)[:100]}")

    for path, tree in trees.items():
        relative = path.relative_to(SRC.parent).as_posix()
        if path.relative_to(SRC).parts[0] in NOT_IN_API:
            continue
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and (path, _name(call.func)) in factories:
                position, keyword, status = factories[path, _name(call.func)]
                code = next((k.value for k in call.keywords if k.arg == keyword), None)
                if code is None and len(call.args) > position:
                    code = call.args[position]
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    sites[code.value].add(Site(code.value, status, f"{relative}:{call.lineno}"))
                else:
                    unresolved.append(f"{relative}:{call.lineno}: {ast.unparse(call)[:100]}")

    assert not unresolved, "error codes this test cannot read (use a literal code):\n" + "\n".join(unresolved)
    return dict(sites)


def documented_codes() -> dict[str, set[int]]:
    """The rows of the table under '## Error codes': | `code` | status[, status] | when |."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Error codes\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`([a-z_]+)`\s*\|([^|]*)\|", line)
        if match:
            code, statuses = match.groups()
            assert code not in rows, f"{code} is listed twice"
            rows[code] = {int(s) for s in re.findall(r"\d{3}", statuses)}
    return rows


def test_the_error_code_table_lists_exactly_the_codes_the_api_sends():
    sent, documented = sent_codes(), documented_codes()
    missing = {code: sorted(s.where for s in sites) for code, sites in sent.items() if code not in documented}
    assert not missing, f"codes the API sends that docs/api.md does not list: {missing}"
    assert not set(documented) - set(sent), (
        f"codes docs/api.md lists that the API never sends: {sorted(set(documented) - set(sent))}"
    )


def test_the_table_gives_each_code_the_statuses_it_is_sent_with():
    sent, documented = sent_codes(), documented_codes()
    for code, sites in sent.items():
        statuses = {s.status for s in sites if s.status is not None}
        listed = documented.get(code, statuses)  # a code not listed at all fails the test above
        assert statuses <= listed, f"{code}: sent with {sorted(statuses)}, documented {sorted(listed)}"


def test_the_scan_finds_what_the_issue_named():
    # The codes the old table got wrong, and one of each way a code is built.
    sent = sent_codes()
    # ApiError, error_body, a domain error's code=, a class's default_code, a factory's call site:
    for code in ("invalid_credentials", "too_many_files", "invalid_status", "idempotency_key_reused", "file_infected"):
        assert code in sent, code
    assert {"forbidden", "invalid_parameter", "not_found"} <= set(sent)
    assert "permission_denied" not in sent and "idempotency_conflict" not in sent


def test_the_apps_left_out_have_no_api():
    for app in NOT_IN_API:
        assert not (SRC / app / "api.py").exists() and not (SRC / app / "api").exists(), app
