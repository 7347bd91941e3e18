from django.urls import path

from . import account_views, certificate_views, dossier_views, pdf_views, reception, views

app_name = "backoffice"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tiep-nhan/", reception.counter_search, name="counter"),
    path("tiep-nhan/<str:code>/", reception.counter_form, name="counter_form"),
    path("tiep-nhan/<str:code>/le-phi", reception.counter_fee_amount, name="counter_fee_amount"),
    path("cho-tiep-nhan/", reception.online_queue, name="online_queue"),
    path("cho-tiep-nhan/<str:code>/", reception.online_check, name="online_check"),
    path("tra-ket-qua/", views.returns, name="returns"),
    path("hoan-phi/", views.refunds, name="refunds"),
    path("so-theo-doi/", views.ledger, name="ledger"),
    path("so-theo-doi.pdf", pdf_views.ledger_pdf, name="ledger_pdf"),
    path("tai-khoan/", account_views.my_account, name="account"),
    path("chon-co-quan/", views.switch_agency, name="switch_agency"),
    path("chung-thu-so-ca-nhan/", certificate_views.my_certificate, name="personal_certificate"),
    path("chung-thu-so-ca-nhan/ngung-dung/", certificate_views.deactivate_certificate,
         name="personal_certificate_deactivate"),
    path("ho-so/<str:code>/", dossier_views.dossier_page, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", dossier_views.dossier_action, name="dossier_action"),
    path("ho-so/<str:code>/tep/<int:file_id>/", dossier_views.dossier_file, name="dossier_file"),
    path("ho-so/<str:code>/tep/<int:file_id>/trang-<int:number>.png", dossier_views.dossier_file_page,
         name="dossier_file_page"),
    path("ho-so/<str:code>/mau/<str:number>.pdf", pdf_views.form_pdf, name="dossier_form"),
]
