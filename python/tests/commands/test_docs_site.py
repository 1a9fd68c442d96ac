"""The static docs site: written by `write_docs_site`, opened in headless Chromium, its lineage
graph must show the chain of models from the raw source to the Insiders list."""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from insiders.commands.docs_site import target_path, write_docs_site

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)
# Source to list, in order: each must reach the next through the graph's edges.
LINEAGE = (
    "source.insiders.retail.invoice_lines",
    "model.insiders.stg_retail__invoice_lines",
    "model.insiders.int_invoice_lines_screened",
    "model.insiders.int_invoice_lines_cleaned",
    "model.insiders.customer_features",
    "model.insiders.customer_segments",
    "model.insiders.insiders",
)
# Read the graph the page drew from its cytoscape instance (kept by cytoscape on its container)
# once the layout has run, and write the visible nodes and edges into the DOM for --dump-dom.
PROBE = """
<script>
(function probe() {
  var container = document.getElementById("cy");
  var cy = container && container._cyreg && container._cyreg.cy;
  if (!cy || cy.nodes(":visible").length === 0) { setTimeout(probe, 250); return; }
  setTimeout(function () {
    var out = document.createElement("pre");
    out.id = "lineage-probe";
    out.textContent = JSON.stringify({
      nodes: cy.nodes(":visible").map(function (n) {
        return {id: n.id(), label: n.data("label"), width: n.renderedWidth()};
      }),
      edges: cy.edges(":visible").map(function (e) {
        return [e.source().id(), e.target().id()];
      })
    });
    document.body.appendChild(out);
  }, 1000);
})();
</script>
"""
PROBE_OUTPUT = re.compile(r'<pre id="lineage-probe">(.*?)</pre>', re.DOTALL)

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--window-size=1600,1000",
            "--virtual-time-budget=20000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def reaches(edges: list[list[str]], start: str, goal: str) -> bool:
    following: dict[str, set[str]] = {}
    for source, target in edges:
        following.setdefault(source, set()).add(target)
    seen, pending = {start}, [start]
    while pending:
        node = pending.pop()
        for nxt in following.get(node, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                pending.append(nxt)
    return False


@pytest.fixture(scope="module")
def docs_site(pipeline, tmp_path_factory) -> Path:
    return write_docs_site(REPO, tmp_path_factory.mktemp("docs") / "docs.html", env=pipeline.env)


def test_target_path_follows_dbt_target_path(tmp_path):
    assert target_path(tmp_path, {}) == tmp_path / "target"
    assert target_path(tmp_path, {"DBT_TARGET_PATH": "build"}) == tmp_path / "build"
    assert target_path(tmp_path, {"DBT_TARGET_PATH": "/x/target"}) == Path("/x/target")


@pytest.mark.slow
def test_docs_site_is_one_file_with_the_manifest_inside(docs_site):
    text = docs_site.read_text(encoding="utf-8")
    for name in ("rpt_insiders_answers", "segment_profiles", "insiders_programme_list"):
        assert name in text
    assert "The story, source to list" in text


@pytest.mark.slow
@needs_chromium
def test_lineage_graph_shows_the_chain_from_source_to_insiders(docs_site, tmp_path):
    page = tmp_path / "docs_probed.html"
    page.write_text(
        docs_site.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>", 1),
        encoding="utf-8",
    )
    url = f"{page.as_uri()}#!/model/model.insiders.insiders?g_v=1"
    dom = chromium("--dump-dom", url, profile=tmp_path / "profile").stdout
    found = PROBE_OUTPUT.search(dom)
    assert found, "the lineage graph did not render (no cytoscape nodes after the time budget)"
    graph = json.loads(html.unescape(found.group(1)))
    drawn = {node["id"]: node for node in graph["nodes"]}
    for node in LINEAGE:
        assert node in drawn, f"{node} is not drawn in the lineage graph"
        assert drawn[node]["width"] > 0
    for upstream, downstream in itertools.pairwise(LINEAGE):
        assert reaches(graph["edges"], upstream, downstream), f"{upstream} -/-> {downstream}"

    screenshot = tmp_path / "lineage.png"
    chromium(f"--screenshot={screenshot}", url, profile=tmp_path / "profile")
    assert screenshot.read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
@needs_chromium
def test_overview_page_tells_the_story(docs_site, tmp_path):
    dom = chromium(
        "--dump-dom", f"{docs_site.as_uri()}#!/overview", profile=tmp_path / "profile"
    ).stdout
    assert "The story, source to list" in dom
    assert "Run order" in dom
