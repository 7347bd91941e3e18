from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("nhap/", views.draft_list, name="drafts"),
    path("nhap/<uuid:draft_id>/", views.resume, name="resume"),
    path("nhap/<uuid:draft_id>/truong-hop/", views.case_step, name="case"),
    path("nhap/<uuid:draft_id>/to-khai/", views.form_step, name="form"),
    path("nhap/<uuid:draft_id>/giay-to/", views.files_step, name="files"),
    path("nhap/<uuid:draft_id>/giay-to/tai-len/", views.upload, name="upload"),
    path("nhap/<uuid:draft_id>/giay-to/<uuid:file_id>/", views.draft_file, name="file"),
    path("nhap/<uuid:draft_id>/giay-to/<uuid:file_id>/xoa/", views.remove_file, name="remove_file"),
    path("nhap/<uuid:draft_id>/kho/", views.wallet, name="wallet"),
    path("nhap/<uuid:draft_id>/xem-lai/", views.review, name="review"),
    path("nhap/<uuid:draft_id>/xem-lai/to-khai-<str:sha>/<int:number>.png", views.preview_page, name="preview_page"),
    path("nhap/<uuid:draft_id>/xem-lai/to-khai-<str:sha>.pdf", views.preview_pdf, name="preview_pdf"),
    path("nhap/<uuid:draft_id>/xoa/", views.delete_draft, name="delete"),
    path("da-nop/<str:code>/", views.done, name="done"),
    path("kho/<int:file_id>/", views.wallet_download, name="wallet_file"),
    path("dia-chi/<str:province>/", views.communes, name="communes"),
    path("<str:code>/", views.start, name="start"),
]
