"""The administration app has no models of its own: the configuration change log it writes is
`motcua.audit.models.ChangeLog` (written through `motcua.audit.changelog.record`)."""
