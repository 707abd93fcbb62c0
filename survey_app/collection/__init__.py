"""Running the collection: dashboard, responses and their cleaning, campaign settings, retention."""
