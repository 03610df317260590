"""``voicebot serve``: run the service."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = subparsers.add_parser("serve", help="run the telephony service")
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8080)")
    serve.add_argument("--audiosocket-port", type=int, default=None,
                       help="also listen for Asterisk's AudioSocket() on this TCP port "
                            "(VOICEBOT_AUDIOSOCKET_PORT)")
    serve.add_argument("--stt-model", choices=["base", "tiny.en"], default=None,
                       help="speech model: multilingual base (default) or fast English tiny.en")
    serve.add_argument("--log-level", default=argparse.SUPPRESS,
                       choices=["debug", "info", "warning", "error"])
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    # Imported here: every other command starts without the web server's modules.
    import uvicorn

    from voicebot.settings import Settings
    from voicebot.web.app import create_app
    from voicebot.web.http import DeadlineH11Protocol
    from voicebot.web.server import HandingOverServer

    settings = Settings.from_env(host=args.host, port=args.port, stt_model=args.stt_model,
                                 log_level=args.log_level,
                                 audiosocket_port=args.audiosocket_port)
    app = create_app(settings)
    config = uvicorn.Config(app, host=settings.host, port=settings.port,
                            log_level=settings.log_level, ws_max_size=settings.max_frame_bytes,
                            ws_ping_interval=None, access_log=False,
                            proxy_headers=settings.trust_forwarded_headers,
                            forwarded_allow_ips=settings.forwarded_allow_ips,
                            timeout_graceful_shutdown=5, http=DeadlineH11Protocol,
                            log_config=None,  # uvicorn's records go through ours (JSON)
                            limit_concurrency=settings.max_connections)
    HandingOverServer(config, app.state.service, settings.drain_seconds).run()
    return 0
