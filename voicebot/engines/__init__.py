"""Speech and language engines behind small protocols, and the pools they run in."""
