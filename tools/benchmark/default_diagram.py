"""The `diagram` directive on sphinxcontrib-mermaid's own path, for the
benchmark's comparison: each builder runs mermaid-cli once per diagram."""

from sphinxcontrib.mermaid import Mermaid


class DefaultDiagram(Mermaid):
    option_spec = {**Mermaid.option_spec, "width": str}

    def run(self, **kwargs):
        name = self.arguments[0]
        # A path from the source folder to the diagram file.
        self.arguments = [f"/../diagrams/{name}.mmd"]
        self.options["caption"] = " ".join(self.content)
        self.options.pop("width", None)
        self.content = []
        return super().run(**kwargs)


def setup(app):
    app.add_directive("diagram", DefaultDiagram, override=True)
    return {"parallel_read_safe": True}
