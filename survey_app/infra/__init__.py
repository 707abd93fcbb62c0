"""What is about the machine rather than the domain: raw-driver statements, the cookie
session, connection events."""
