from tests.citizen.conftest import _fast_settings, citizen_client, people  # noqa: F401  (fixtures)
from tests.portal.conftest import many_procedures  # noqa: F401  (fixture)
