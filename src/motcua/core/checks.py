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
