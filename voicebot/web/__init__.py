"""The web service: app factory and thin routes."""
