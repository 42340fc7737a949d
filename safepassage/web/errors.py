"""Domain errors -> HTTP responses and form errors, in one place; a lost database connection
-> 503."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django import forms
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from safepassage.core.errors import DomainError

logger = logging.getLogger(__name__)


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a domain error on the form field it names (or on the form as a whole)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    for name, messages in error.errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def render_domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = TemplateResponse(
        request,
        "web/error.html",
        {"error": error, "status": error.http_status},
        status=error.http_status,
    )
    return response.render()


class DomainErrorMiddleware:
    """A domain error escaping a view becomes a page with its status: 404 for not-found
    (identical for "missing" and "not yours"), 403, 409 or 400 otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return render_domain_error(request, exception)
        return None


# --- the database is unreachable ----------------------------------------------------------------

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_database_outage(exception: BaseException | None) -> bool:
    """A failure of the database connection (lost, refused, terminated, timed out), as opposed
    to a rule the data broke (integrity errors): only the first is worth retrying."""
    return isinstance(exception, DATABASE_ERRORS)


def database_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """503 saying nothing was saved, rendered without the database (no context processors,
    no session, no user), as JSON for the API.

    Every write runs in one transaction with its audit event, so a connection lost before the
    commit leaves nothing behind; the connection is closed here so the next request (or the
    session save of this one) starts on a fresh one instead of the broken one."""
    logger.warning(
        "database unavailable (%s) during %s %s",
        type(exception).__name__,
        request.method,
        request.path,  # never the query string: searches carry names
    )
    connection.close_if_unusable_or_obsolete()
    message = str(
        _("The database could not be reached. Nothing was saved; please try again in a moment.")
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"code": "unavailable", "message": message, "fields": {}}}, status=503
        )
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A lost database connection escaping a view becomes a clear 503 instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            return database_unavailable(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler. Failures outside a view (loading the session or the user in a
    middleware, saving the session afterwards) reach it instead of the middleware above; when
    the exception being handled is a lost database connection it answers 503 the same way."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable(request, exception)
    return HttpResponseServerError(render_to_string("500.html"))
