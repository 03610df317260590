"""WebSocket close codes (RFC 6455, section 7.4.1) the media streams end with."""

CLOSE_NORMAL = 1000
CLOSE_PROTOCOL_ERROR = 1002  # a frame the protocol does not allow
CLOSE_UNSUPPORTED_DATA = 1003  # e.g. audio in a format the service does not take
CLOSE_INVALID_PAYLOAD = 1007  # a frame that cannot be read
CLOSE_POLICY_VIOLATION = 1008  # too fast, too long, refused
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013  # busy, or stopping
