"""What every API shares, below every app: JSON in and out that a hostile client cannot turn into a 500."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer


class AsciiJSONRenderer(JSONRenderer):
    # Error messages may echo a client's input; escaping keeps a lone surrogate from breaking the response.
    ensure_ascii = True


class NestingSafeJSONParser(JSONParser):
    """JSON whose nesting is too deep for Python's parser is the client's 400, not a 500. Every API's parser
    (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, in UTC from here on: any offset ISO allows is understood (PostgreSQL itself
    takes offsets only up to ±15:59), and one whose UTC moment is out of range is a 400."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:
                raise DjangoValidationError("This date and time is out of range.", code="invalid") from None
        return value


class BoundedIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField
