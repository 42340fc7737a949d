"""Domain errors -> HTTP responses and form errors, in one place."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from safepassage.core.errors import DomainError


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
