"""Small helpers for views, in the manner of django.shortcuts."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_form(
    request: HttpRequest,
    template_name: str,
    form: forms.Form,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A page with FORM in its context (and CONTEXT), answered with 400
    when the form was sent with errors, so that a refused submission is
    never taken for an accepted one."""
    return render(
        request,
        template_name,
        {"form": form, **(context or {})},
        status=400 if form.errors else 200,
    )
