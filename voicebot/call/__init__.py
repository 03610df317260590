"""One call: listening, speaking, timing, and the session that wires them."""
