"""Official one-stop forms (TT 03/2025/TT-VPCP, forms 01–07) rendered as PDF.

The module takes plain data (the dataclasses in :mod:`motcua.documents.forms`), never models,
so that the dossiers app, the API, scripts and tests can all print a form from whatever
they hold. Rendering uses WeasyPrint on Django templates with an embedded Vietnamese font.
"""
