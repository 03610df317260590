"""Replaying recorded calls through the live call code, for operations staff."""
