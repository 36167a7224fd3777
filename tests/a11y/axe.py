"""Run axe-core (vendored, see vendor/README.md) on a Playwright page."""

from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.x A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    assert page.evaluate("() => axe.version") == AXE_VERSION
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                             'wcag22aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def describe(found: dict[str, list[dict]]) -> str:
    lines = []
    for url, violations in found.items():
        for v in violations:
            lines.append(f"{url}: [{v['impact']}] {v['id']} — {v['help']} at {v['nodes']}")
    return "\n".join(lines)
