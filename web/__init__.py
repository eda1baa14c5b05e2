"""careguide web: the chat page, talking only to the HTTP API."""
