"""A project page's context: partners and their shares, map, similar projects, JSON-LD."""


def project_page_context(page, request):
    return {}
