"""Online submission (nộp hồ sơ trực tuyến): drafts that save themselves, the step-by-step wizard,
uploads one file per request, reuse from the citizen's document wallet, and the filled
application form as a PDF attached to the new dossier."""
