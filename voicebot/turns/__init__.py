"""Turn taking: voice activity, end of turn and barge-in decisions."""
