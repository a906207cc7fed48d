"""The glossary's way back: each entry lists where the chapters use it.

A chapter links the first use of a key term to the glossary with the
``{term}`` role. This extension gives each such link an anchor of its own
(``glossary-use-<n>``) and, under every glossary entry, writes "Used in
Section 2.4, Section 3.1", each number a link back to the sentence that
uses the term. Readers of every edition can thus go from a term to its
definition and back to where they were reading, or on to the other
chapters that use it.

Only the first link to an entry in each section counts, so the list names
sections, not every mention. Numbers are Sphinx's own section numbers,
the ones all three editions print. The list is built at write time from
what every page recorded while it was read, so it is complete even when
only some pages were re-read.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

# env attribute: docname -> [(term key, anchor id, section anchor)]
USES = "glossary_uses"


def term_key(text: str) -> str:
    # Sphinx's smart quotes turn the glossary's "Cohen's" into "Cohen’s".
    return " ".join(text.replace("\u2019", "'").split()).lower()


def record_uses(app: Sphinx, doctree: nodes.document) -> None:
    """Anchor the first term link per (section, term) in the page just read."""
    docname = app.env.docname
    uses: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for xref in list(doctree.findall(addnodes.pending_xref)):
        if xref.get("refdomain") != "std" or xref.get("reftype") != "term":
            continue
        section = xref.parent
        while section is not None and not isinstance(section, nodes.section):
            section = section.parent
        if section is None:
            continue
        # The chapter's top section is numbered by the chapter alone.
        anchor = "" if isinstance(section.parent, nodes.document) \
            else "#" + section["ids"][0]
        key = term_key(xref["reftarget"])
        if (anchor, key) in seen:
            continue
        seen.add((anchor, key))
        anchor_id = f"glossary-use-{len(uses) + 1}"
        xref.parent.insert(xref.parent.index(xref),
                           nodes.target("", "", ids=[anchor_id]))
        uses.append((key, anchor_id, anchor))
    if not hasattr(app.env, USES):
        app.env.glossary_uses = {}
    app.env.glossary_uses[docname] = uses


def reread_glossary(app: Sphinx, env: BuildEnvironment, added: set[str],
                    changed: set[str], removed: set[str]) -> list[str]:
    """A changed chapter may change the glossary's "Used in" lists, so the
    glossary page is read and written again whenever any page is."""
    if not (added or changed or removed):
        return []
    return sorted(glossary_docs(env))


def glossary_docs(env: BuildEnvironment) -> set[str]:
    """The pages that define glossary terms."""
    std = env.domains.standard_domain
    return {doc for (kind, _), (doc, _) in std.objects.items()
            if kind == "term"}


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, USES, {}).pop(docname, None)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str],
          other: BuildEnvironment) -> None:
    if not hasattr(env, USES):
        env.glossary_uses = {}
    for docname in docnames:
        if docname in getattr(other, USES, {}):
            env.glossary_uses[docname] = other.glossary_uses[docname]


def reading_order(app: Sphinx) -> list[str]:
    """Documents in the order of the root toctree (the book's order)."""
    order: list[str] = []

    def walk(docname: str) -> None:
        for child in app.env.toctree_includes.get(docname, []):
            if child not in order:
                order.append(child)
                walk(child)

    walk(app.config.root_doc)
    return order


def place_label(app: Sphinx, docname: str, anchor: str) -> str:
    number = app.env.toc_secnumbers.get(docname, {}).get(anchor)
    if number:
        kind = "Chapter" if len(number) == 1 else "Section"
        return f"{kind} {'.'.join(map(str, number))}"
    return app.env.titles[docname].astext()


def write_back_links(app: Sphinx, doctree: nodes.document,
                     fromdoc: str) -> None:
    uses = getattr(app.env, USES, {})
    order = reading_order(app)
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            keys = {term_key(t.astext()) for t in item.findall(nodes.term)}
            places = [
                (docname, anchor_id, anchor)
                for docname in order
                for key, anchor_id, anchor in uses.get(docname, [])
                if key in keys
            ]
            if not places:
                continue
            para = nodes.paragraph(classes=["glossary-uses"])
            para += nodes.Text("Used in ")
            labelled: list[str] = []
            for docname, anchor_id, anchor in places:
                label = place_label(app, docname, anchor)
                if label in labelled:  # two aliases in one section
                    continue
                if labelled:
                    para += nodes.Text(", ")
                labelled.append(label)
                uri = app.builder.get_relative_uri(fromdoc, docname)
                para += nodes.reference(
                    "", label, internal=True, refuri=f"{uri}#{anchor_id}")
            para += nodes.Text(".")
            item.findall(nodes.definition).__next__().append(para)


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", record_uses)
    app.connect("env-get-outdated", reread_glossary)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("doctree-resolved", write_back_links)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True,
            "parallel_write_safe": True}
