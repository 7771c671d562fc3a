"""A connection's own pacing and page size reach its connector's config."""

from pms.config import config_for
from practices.models import PmsConnection, PmsType


def test_the_connection_columns_override_the_connector_defaults(practice_a):
    connection = PmsConnection.objects.create(
        practice=practice_a,
        pms_type=PmsType.OPEN_DENTAL,
        base_url="http://127.0.0.1:1/opendental/api/v1",
        developer_key="d",
        customer_key="c",
        request_interval_ms=5000,
        page_size=1000,
    )
    config = config_for(connection)
    assert (config.request_interval_ms, config.page_size) == (5000, 1000)
