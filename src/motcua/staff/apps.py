from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The staff web kit shared by the back office, the admin area, reports and sync pages: who is
    staff (access), the page frame (pages) and the base forms (forms)."""

    name = "motcua.staff"
    label = "staff"
    verbose_name = "Cán bộ"
