"""The domain: services take a database session, the acting user and plain values."""


class ServiceError(Exception):
    """A request the domain refuses; the message is for the user, in French."""
