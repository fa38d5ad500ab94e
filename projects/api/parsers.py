"""JSON input that cannot crash the API: bounded nesting, every decoding failure a 400.

Python's json module recurses once per nested array or object, so a body of a few thousand
"[" raises RecursionError (a 500) before any serializer sees it. No input of the API nests
deeper than a handful of levels, so bodies nested beyond MAX_DEPTH are refused by a linear
scan before decoding.
"""

import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

# The deepest input is a report's indicators: {"indicators": {"outputs": [{"title": …}]}} (4).
MAX_DEPTH = 32

# Brackets, quotes and the backslash: everything the depth scan has to look at.
STRUCTURE = re.compile(r'[\[\]{}"\\]')


def nesting_depth(text, limit=MAX_DEPTH):
    """The deepest nesting of arrays and objects in `text`, counting only brackets outside
    strings; stops early (returning more than `limit`) as soon as `limit` is passed."""
    depth = deepest = 0
    in_string = escaped = False
    for match in STRUCTURE.finditer(text):
        char = match.group()
        if in_string:
            if escaped:
                # The character right after a backslash; a backslash followed by an
                # unmatched character (\n, \u…) was cleared below instead.
                escaped = False
            elif char == "\\":
                escaped = match.end() < len(text) and STRUCTURE.match(text, match.end()) is not None
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, refusing deep nesting and turning every decoding failure into 400."""

    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        # DRF hands JSON parsers a copy of request.body, which Django has already held to
        # DATA_UPLOAD_MAX_MEMORY_SIZE (errors.py answers 400 when it is larger).
        raw = stream.read()
        try:
            text = raw.decode(encoding)
        except (UnicodeError, LookupError) as exc:
            raise ParseError(
                _("The body is not valid %(encoding)s.") % {"encoding": encoding}
            ) from exc
        if nesting_depth(text, self.max_depth) > self.max_depth:
            raise ParseError(
                _("JSON nested deeper than %(depth)d levels is not accepted.")
                % {"depth": self.max_depth}
            )
        try:
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            # ValueError covers malformed JSON, NaN/Infinity and integers too long to convert.
            raise ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from exc
