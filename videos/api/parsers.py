"""DRF's JSON parser, with the wire's rules: finite numbers only, and no nesting so deep that
it would raise a RecursionError. Each bad body is a 400, never a 500."""

import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from videos import wire


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return wire.loads(codecs.getreader(encoding)(stream).read())
        except RecursionError:  # json.loads on thousands of nested [ or {
            raise ParseError(_("JSON parse error - the body is nested too deeply."))
        except ValueError as exc:
            # DRF's own words, which its catalogue translates; the parser's detail stays as is.
            raise ParseError(_("JSON parse error - %(detail)s") % {"detail": exc})
