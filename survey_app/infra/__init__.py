"""What is about the machine rather than the domain: raw-driver statements
(``hot_sql``) and the process caches with their rules (``caches``)."""
