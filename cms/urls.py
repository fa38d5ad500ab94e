from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import seo, views
from cms.accounts import views as account_views
from cms.forms import LoginForm

accounts_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="cms/accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/setup/", account_views.two_factor_setup, name="two_factor_setup"),
    path(
        "2fa/recovery-codes/",
        account_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("2fa/verify/", account_views.two_factor_verify, name="two_factor_verify"),
    path(
        "password-reset/",
        account_views.PasswordResetView.as_view(
            template_name="cms/accounts/password_reset.html",
            email_template_name="cms/email/password_reset.txt",
            subject_template_name="cms/email/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="cms/accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="cms/accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="cms/accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include(accounts_patterns)),
    path("workspace/", include("projects.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("projects.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.health, name="health"),
    path("open-data/", include("cms.open_data_views")),
    # For search engines (cms/seo.py).
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap_index"),
    re_path(
        r"^sitemap-(?P<section>pages|centres)-(?P<number>[1-9][0-9]{0,5})\.xml$",
        seo.sitemap_section,
        name="sitemap_section",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The public site: /en/… and /fr/…; "/" redirects by the visitor's language.
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=True)

handler400 = "cms.views.bad_request"
handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"
