"""DRF's JSON parser, refusing JSON nested too deeply with a 400 instead of a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:  # json.loads on thousands of nested [ or {
            raise ParseError("JSON parse error - the body is nested too deeply.")
