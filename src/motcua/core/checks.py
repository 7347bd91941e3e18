"""System checks of the settings as Django holds them (after any override): URLs, names chosen from a
list, and the file storage. The environment itself was checked when settings.py read it (motcua.conf);
these catch a value set in Python, and what only makes sense together."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

from motcua import conf


@register(Tags.compatibility)
def settings_fit_their_declarations(app_configs, **kwargs):
    errors = []
    for declared in conf.SETTINGS:
        if not declared.setting or not hasattr(settings, declared.name):
            continue
        value = getattr(settings, declared.name)
        if declared.kind == conf.URL:
            problem = conf.url_problem(declared, str(value or ""))
            if problem:
                errors.append(Error(problem, hint=f"{declared.name}: {declared.help}.", id="core.E101"))
        elif declared.choices and str(value).lower() not in {c.lower() for c in declared.choices}:
            errors.append(Error(
                f"{declared.name}={value!r} is not one of {', '.join(declared.choices)}.",
                hint=f"{declared.name}: {declared.help}.", id="core.E102",
            ))
    return errors


@register(Tags.compatibility)
def storage_is_complete(app_configs, **kwargs):
    if settings.MOTCUA_STORAGE != "s3":
        return []
    options = settings.STORAGES["default"].get("OPTIONS", {})
    if not options.get("bucket_name"):
        return [Error("MOTCUA_STORAGE=s3 without MOTCUA_S3_BUCKET.", hint="Name the bucket (docs/operations.md, §3).",
                      id="core.E104")]
    problem = conf.url_problem(conf.BY_NAME["MOTCUA_S3_ENDPOINT"], options.get("endpoint_url") or "")
    return [Error(problem, id="core.E105")] if problem else []


# --- one file picker (issue #18) -------------------------------------------------------------------


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def our_forms() -> list[type]:
    """Every form class of our apps that is loaded once the URLs are (views define forms too),
    but the submission wizard's (its own picker) and the Django admin's (its own look)."""
    from django import forms
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module, and the forms they hold)
    found = []
    for form in dict.fromkeys(_subclasses(forms.BaseForm)):
        module = form.__module__
        if not module.startswith("motcua.") or module.startswith("motcua.submissions.") or module.endswith(".admin"):
            continue
        found.append(form)
    return found


def file_picker_errors(form_classes) -> list[Error]:
    """Each file field (ModelForm fields from a model's FileField too) must use core.widgets.FilePicker."""
    from django import forms

    from .widgets import FilePicker

    errors = []
    for form in form_classes:
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.FileField) and not isinstance(field.widget, FilePicker):
                errors.append(Error(
                    f"{form.__module__}.{form.__qualname__}.{name} shows the browser's own file button.",
                    hint="Use widget=motcua.core.widgets.FilePicker(...): one picker style, no «Choose Files».",
                    id="core.E110",
                ))
    return errors


@register(Tags.templates)
def file_fields_use_the_picker(app_configs, **kwargs):
    return file_picker_errors(our_forms())
