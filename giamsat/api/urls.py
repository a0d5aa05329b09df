from django.urls import path

from .api import api
from .dhis2 import dhis2

urlpatterns = [
    path("v1/", api.urls),
    # DHIS2's unversioned paths (/api/dataValueSets, /api/me, ...), after our versioned API.
    path("", dhis2.urls),
]
