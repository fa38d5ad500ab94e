"""Settings shared by every environment. Values come from the environment (see README)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR, env

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms",
    "projects",
    "workflow",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_countries",
    "django_fsm",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "storages",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Headers on every response (also the 503s below); uses no database.
    "cms.middleware.ResponseHeadersMiddleware",
    # Above everything that may query the database (session, user, redirects, views).
    "cms.middleware.DatabaseUnavailableMiddleware",
    "cms.middleware.reject_nul_bytes",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages kept per viewer until any data changes (cms/private_cache.py): right
    # after the viewer is known, so a kept page skips everything below (its two-factor state
    # is part of its key).
    "cms.private_cache.PrivatePageCacheMiddleware",
    # Anonymous public pages shared by every visitor until any data changes
    # (cms/public_cache.py): a hit skips everything below.
    "cms.public_cache.PublicPageCacheMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Coordinators and superusers pass two-factor authentication before anything else.
    "cms.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.middleware.SiteContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a lockout noticed during authentication into the 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_navigation",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://… in CI and production); SQLite for `make run`.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'ensemble.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Waiting on a lock beats "database is locked" under the dev server.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cms.auth.UsernameOrEmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"

# The client's address for lockouts and throttles: REMOTE_ADDR, or behind this many trusted
# reverse proxies, the address the outermost one saw (from the right of X-Forwarded-For).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Login lockouts (django-axes), with the database handler: attempts are shared by every
# worker process and survive restarts even without Redis (the default cache is per process),
# and they roll back with each test. 5 failures for one username from one address lock that
# pair for 15 minutes; 50 from one address lock the address (cms/accounts/lockout.py).
AXES_HANDLER = "cms.accounts.lockout.LoginAttemptHandler"
AXES_FAILURE_LIMIT = 5
AXES_IP_FAILURE_LIMIT = 50
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Trying again while locked out does not prolong the lockout of someone who mistyped.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "cms.accounts.lockout.client_username"
AXES_CLIENT_IP_CALLABLE = "cms.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "cms.accounts.lockout.lockout_response"
# Failed attempts are kept for the cool-off only; no log of every login (personal data).
AXES_DISABLE_ACCESS_LOG = True
# No version banner at every start of manage.py (lockouts are still logged as warnings).
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp"]

# Two-factor authentication (django-otp) for coordinators and superusers.
OTP_TOTP_ISSUER = "Ensemble"

# API tokens expire this many seconds after they are issued (default 7 days).
API_TOKEN_TTL = timedelta(seconds=env.int("API_TOKEN_TTL", default=7 * 24 * 3600))

# Internationalisation: English and French, for the interface and the content.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("Français"))]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# Static and media files. S3 (django-storages) when a bucket is configured, local otherwise.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    from .storage import s3_storages

    STORAGES = s3_storages(env)
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(BASE_DIR / "var" / "private"), "base_url": None},
        },
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        },
    }

# Uploads: refuse what is too large before it reaches a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Cache: Redis when REDIS_URL is set, process memory otherwise.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis errors count as cache misses: a dead cache slows pages, never breaks them.
            "BACKEND": "cms.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            # A dead or unreachable Redis fails fast instead of hanging requests.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The per-viewer cache of signed-in pages (cms/private_cache.py). On only with a cache every
# process shares (Redis): a write in one process must invalidate the pages of all of them.
PRIVATE_PAGE_CACHE = env.bool("PRIVATE_PAGE_CACHE", default=bool(REDIS_URL))
PRIVATE_PAGE_CACHE_TTL = env.int("PRIVATE_PAGE_CACHE_TTL", default=60)
PRIVATE_PAGE_CACHE_PATHS = ("/workspace/", "/api/v1/", "/admin/network/", "/admin/grants/")
PRIVATE_PAGE_CACHE_EXCLUDED_PATHS = (
    "/workspace/files/",
    "/api/v1/auth/",
    "/api/v1/docs/",
    "/api/v1/schema/",
)

# The shared cache of anonymous public pages (cms/public_cache.py), invalidated by the same
# data generation, which is kept only while PRIVATE_PAGE_CACHE is on. The TTL bounds what
# changes with time alone (a call opening, "ends in 3 days").
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=PRIVATE_PAGE_CACHE)
PUBLIC_PAGE_CACHE_TTL = env.int("PUBLIC_PAGE_CACHE_TTL", default=120)

# Email: Django 6.1's MAILERS, built from EMAIL_URL (smtp+tls://user:pass@host:587, or
# consolemail:// in development).
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
    "timeout": env.int("EMAIL_TIMEOUT", default=10),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Ensemble <no-reply@ensemble.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks. Our tasks use Django's built-in django.tasks; Wagtail 8 uses the
# django-tasks backport; both read TASKS. Immediate by default, django-tasks-db in production.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend")
    }
}

# Wagtail
WAGTAIL_SITE_NAME = "Ensemble"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False

# The public maps (Leaflet, served from static/vendor): any XYZ tile server. Without tiles (a
# blocked server, no JavaScript) every map has the same places as a list beside it.
MAP_TILE_URL = env("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = env(
    "MAP_ATTRIBUTION",
    default=(
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    ),
)

# Countries: ISO 3166-1 alpha-2, names translated by django-countries (English and French).
COUNTRIES_FIRST_BREAK = None

# Django REST framework: the JSON API at /api/v1/ (PRODUCT.md §4).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Token first: an anonymous request gets 401 with a WWW-Authenticate challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "projects.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "projects.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON nested too deep is a 400, never a RecursionError (projects/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "projects.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
    # The token endpoint: at most 10 tries a minute from one address (429 beyond).
    "DEFAULT_THROTTLE_RATES": {"auth": "10/minute"},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ensemble API",
    "DESCRIPTION": "Joint projects and grants for cultural networks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["cms.schema.only_public_api"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProjectStateEnum": "workflow.states.ProjectState",
        "PartnershipStateEnum": "workflow.states.PartnershipState",
        "ReviewStateEnum": "workflow.states.ReviewState",
        "ReportStateEnum": "workflow.states.ReportState",
        "CallKindEnum": "projects.models.CallKind",
        "ReportKindEnum": "projects.models.ReportKind",
        "PaymentKindEnum": "projects.models.PaymentKind",
    },
    # Swagger UI from the installed package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content Security Policy (Django 6's built-in middleware). Wagtail's admin needs inline
# scripts and styles, so the strict policy covers the public site and workspace only.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"],
    "style-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Wagtail 8's admin, as measured in Chromium (tests/e2e/test_admin_csp.py): its date pickers and
# inline panels render inline <script>s, the focal-point cropper (Jcrop) sets inline event
# handlers and the page editor's scripts inject <style> elements, so scripts and styles need
# 'unsafe-inline'; no eval. Everything else is as strict as the site: scripts only from here,
# no plugins, forms post here, framed only by the admin itself (the live preview). Avatars come
# from Gravatar (over http in development).
CSP_ADMIN = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:", "https:", "www.gravatar.com"],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# The same without 'unsafe-inline', reported only: the browser's console lists what still stands
# in the way of enforcing it.
CSP_ADMIN_REPORT_ONLY = {
    **CSP_ADMIN,
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
}
# Swagger UI at /api/v1/docs/: the site's policy; the inline start-up script and <style> of the
# page carry the nonce (templates/drf_spectacular/swagger_ui.html). It draws icons as data: SVGs.
CSP_API_DOCS = {**SECURE_CSP, "style-src": [CSP.SELF, CSP.NONCE]}
CSP_API_DOCS_REPORT_ONLY = {}

# Structured logging: one JSON object a line on stderr.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "cms.logging.JsonFormatter"},
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="json"),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
        # Task lifecycle lines are debug detail; failures still log as errors.
        "django.tasks": {"level": env("TASKS_LOG_LEVEL", default="WARNING")},
        "django_tasks": {"level": env("TASKS_LOG_LEVEL", default="WARNING")},
        "django_tasks_db": {"level": env("TASKS_LOG_LEVEL", default="INFO")},
    },
}
