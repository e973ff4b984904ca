"""axe-core in the test's page: the engine comes from widget/node_modules (pinned in
widget/package.json and package-lock.json, installed by `make widget`), read from disk and
injected into the page, so that nothing is fetched at test time."""
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "widget"
AXE_PACKAGE = WIDGET / "node_modules" / "axe-core"
AXE_JS = AXE_PACKAGE / "axe.min.js"

# WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Run on top of the tags: label-in-name (WCAG 2.5.3; tagged wcag21a, but experimental in some axe
# versions, which a tag run leaves out) and the best-practice landmark rules, so that the widget
# does not add a second banner or an unlabelled duplicate landmark to the page it is put on.
EXTRA_RULES = [
    "label-content-name-mismatch",
    "landmark-no-duplicate-banner",
    "landmark-banner-is-top-level",
    "landmark-unique",
    "landmark-no-duplicate-contentinfo",
    "landmark-contentinfo-is-top-level",
    "landmark-no-duplicate-main",
    "landmark-main-is-top-level",
    "landmark-one-main",
]
OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {rule: {"enabled": True} for rule in EXTRA_RULES},
    "resultTypes": ["violations"],
}


def pinned_version() -> str:
    package = json.loads((WIDGET / "package.json").read_text())
    return package.get("devDependencies", {}).get("axe-core", "")


def axe_source() -> str:
    """axe.min.js as `make widget` installed it; fails with what to do when it is missing or not
    the pinned version (node_modules older than package.json)."""
    pinned = pinned_version()
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: `make widget` installs axe-core "
                    f"{pinned} (npm ci in widget/, from widget/package-lock.json)")
    installed = json.loads((AXE_PACKAGE / "package.json").read_text())["version"]
    if pinned and installed != pinned:
        pytest.fail(f"widget/node_modules has axe-core {installed}, widget/package.json pins "
                    f"{pinned}: `make widget` reinstalls it")
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page: Page) -> Dict[str, Any]:
    """Runs axe on the whole page (the widget's open shadow root included) with OPTIONS."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    return page.evaluate("options => window.axe.run(document, options)", OPTIONS)


def target(node: Dict[str, Any]) -> str:
    """A node's selector; inside a shadow root axe gives one selector per tree (host first)."""
    parts = [" >>> ".join(t) if isinstance(t, list) else str(t) for t in node["target"]]
    return ", ".join(parts)


def describe(violations: List[Dict[str, Any]]) -> str:
    """Each violation's rule id, impact and help, then each failing node's target, its markup,
    what axe says to fix and the nodes it relates to: enough to fix it from the CI log."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact') or 'no impact'}): "
                     f"{violation['help']} [{', '.join(violation['tags'])}] {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            html = " ".join((node.get("html") or "").split())
            lines.append(f"  - {target(node)}  {html[:160]}")
            if summary:
                lines.append(f"      {summary[:400]}")
            # e.g. the other banners, for landmark-no-duplicate-banner
            related = {target(r) for check in node.get("any", []) + node.get("all", [])
                       + node.get("none", []) for r in check.get("relatedNodes", [])}
            related.discard(target(node))
            if related:
                lines.append(f"      related: {'; '.join(sorted(related))}")
    return "\n".join(lines)
