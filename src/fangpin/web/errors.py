"""What error reports may show."""
import re

from django.views.debug import SafeExceptionReporterFilter


class ReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, which hides settings and request environment whose names say secret, also hiding the
    database URL (DATABASE_URL, FANGPIN_TEST_DATABASE_URL), which carries the password."""

    hidden_settings = re.compile("API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL", flags=re.I)
