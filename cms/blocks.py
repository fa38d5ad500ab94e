"""StreamField blocks editors use to enrich the public pages (never touched by the sync)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        required=False,
        max_length=250,
        help_text=_("What the image shows, for people who cannot see it. Empty for decoration."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)
    credit = blocks.CharBlock(
        label=_("credit"),
        max_length=200,
        help_text=_("The photographer or rights holder, as they must be named."),
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/_image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("said by"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/_quote.html"


class LinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=200)
    url = blocks.URLBlock(label=_("address"))

    class Meta:
        icon = "link"
        label = _("Link")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[
            ("study", _("Study")),
            ("guide", _("Guide")),
            ("report", _("Report")),
            ("template", _("Template")),
            ("other", _("Other")),
        ],
        default="study",
    )
    description = blocks.TextBlock(label=_("description"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "cms/blocks/_document.html"


def content_blocks():
    """The blocks of a page body: text, images with credits, quotes, videos and links."""
    return [
        ("paragraph", blocks.RichTextBlock(label=_("Text"), features=_TEXT_FEATURES)),
        ("image", ImageBlock()),
        ("quote", QuoteBlock()),
        ("video", EmbedBlock(label=_("Video"), help_text=_("A YouTube or Vimeo address."))),
        (
            "links",
            blocks.ListBlock(LinkBlock(), label=_("Links"), template="cms/blocks/_links.html"),
        ),
    ]


def resource_blocks():
    return [("document", DocumentBlock()), *content_blocks()]


_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]
