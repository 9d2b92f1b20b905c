"""``{glue:figure}`` with ``:doc:``: a captioned figure glued in another notebook.

myst-nb 1.x pastes across documents only with ``{glue}`` / ``{glue:any}`` and ``:doc:``,
which gives a bare ``<img>``: no caption, no ``:name:``, no width, and no alt text
(docutils then writes the file name as alt). This extension adds ``:doc:`` to
``{glue:figure}``: the pending cross-document reference is wrapped in a figure with
its caption and name, and, once myst-nb has resolved it into an image, the image gets
the ``:alt:`` / ``:width:`` / ``:height:`` of the directive, else the width, height and
alt recorded in the glued output's metadata (as the notebook's own page shows it).
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from myst_nb.ext.glue.crossref import read_glue_cache
from myst_nb.ext.glue.directives import PasteFigureDirective
from myst_nb.ext.glue.utils import (
    PendingGlueReferenceError,
    create_pending_glue_ref,
    glue_warning,
)
from sphinx.transforms.post_transforms import SphinxPostTransform

_IMAGE_OPTIONS = ("alt", "width", "height")


class PasteFigureAnyDoc(PasteFigureDirective):
    """``{glue:figure}``; with ``:doc:`` the key is looked up in that document."""

    option_spec = {**PasteFigureDirective.option_spec, "doc": directives.unchanged_required}

    def run(self):
        if "doc" not in self.options:
            return super().run()
        key = self.arguments[0]
        try:
            ref = create_pending_glue_ref(
                self.document, self.source, self.line, self.options["doc"], key
            )
        except PendingGlueReferenceError as exc:
            return [glue_warning(str(exc), self.document, self.line)]
        figure = nodes.figure("", ref)
        self.set_source_info(figure)
        # Read by the post-transform below (plain strings: the doctree is pickled).
        figure["glue_doc"] = ref["refdoc"]
        figure["glue_key"] = key
        for option in _IMAGE_OPTIONS:
            if option in self.options:
                figure[f"glue_{option}"] = self.options[option]
        if "figwidth" in self.options:
            figure["width"] = self.options["figwidth"]
        if self.options.get("figclass"):
            figure["classes"] += self.options["figclass"]
        if "align" in self.options:
            figure["align"] = self.options["align"]
        self.add_name(figure)
        if self.content:
            holder = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, holder)
            first = holder[0]
            if not isinstance(first, nodes.paragraph):
                return [
                    figure,
                    glue_warning("Figure caption must be a paragraph.", self.document, self.line),
                ]
            caption = nodes.caption(first.rawsource, "", *first.children)
            caption.source, caption.line = first.source, first.line
            figure += caption
            if len(holder) > 1:
                figure += nodes.legend("", *holder[1:])
        return [figure]


class SizeAndAltOfPastedFigures(SphinxPostTransform):
    """Give the images of cross-document glue figures their alt text and size."""

    default_priority = 6  # after myst-nb's ReplacePendingGlueReferences (5)

    def run(self, **kwargs):
        folder = self.env.mystnb_config.output_folder
        for figure in list(self.document.findall(nodes.figure)):
            if "glue_key" not in figure:
                continue
            output = read_glue_cache(folder, figure["glue_doc"]).get(figure["glue_key"], {})
            stored = {}
            for mime_metadata in output.get("metadata", {}).values():
                if isinstance(mime_metadata, dict):
                    stored.update(mime_metadata)
            for image in figure.findall(nodes.image):
                for option in _IMAGE_OPTIONS:
                    value = figure.get(f"glue_{option}", stored.get(option))
                    if value is not None:
                        image[option] = f"{value}px" if isinstance(value, int) else str(value)
            for attribute in ["glue_doc", "glue_key", *(f"glue_{o}" for o in _IMAGE_OPTIONS)]:
                figure.attributes.pop(attribute, None)


def setup(app):
    app.setup_extension("myst_nb")
    app.add_directive_to_domain("glue", "figure", PasteFigureAnyDoc, override=True)
    app.add_post_transform(SizeAndAltOfPastedFigures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
