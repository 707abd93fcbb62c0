from tests.collection.world import campaign, client, coordinator, login, session  # noqa: F401
