"""The showcase listing (ProjectIndexPage): facets, search, pagination, map. See issue 9."""


def showcase_context(page, request):
    return {}
