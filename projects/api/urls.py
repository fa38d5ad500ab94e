from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from projects.api import views

router = SimpleRouter()
router.register("calls", views.CallViewSet, basename="call")
router.register("centres", views.CentreViewSet, basename="centre")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("reports", views.ReportViewSet, basename="report")
router.register("notifications", views.NotificationViewSet, basename="notification")

app_name = "api"
urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
