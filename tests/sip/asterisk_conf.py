"""A minimal Asterisk configuration for one test session, as text.

Everything listens on 127.0.0.1 only. Two PJSIP endpoints: ``caller`` (any baresip
that says ``From: caller``; its calls enter the ``from-caller`` context) and ``agent``
(a baresip at a fixed loopback port that auto-answers; it stands for the human agent a
call is transferred to). The rig's own extensions prove Asterisk and the phones work;
the adapters' tests add theirs with ``dialplan`` (and ``websocket_uri`` for
chan_websocket's connection ``voicebot``, with ``websocket_password`` when the peer
wants credentials: the service takes its ``VOICEBOT_ASTERISK_SECRET`` as the Basic
password).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Only what the rig and the adapters use: SIP and RTP in G.711 u-law, the dialplan
# applications below, AudioSocket, chan_websocket, and ARI over the built-in HTTP server.
MODULES = (
    "res_timing_timerfd.so",
    "res_sorcery_config.so", "res_sorcery_memory.so", "res_sorcery_astdb.so",
    "res_pjproject.so", "res_pjsip.so", "res_pjsip_session.so", "res_pjsip_pubsub.so",
    "chan_pjsip.so",
    "res_pjsip_sdp_rtp.so", "res_pjsip_endpoint_identifier_user.so",
    "res_pjsip_authenticator_digest.so",
    "res_pjsip_caller_id.so", "res_pjsip_header_funcs.so", "res_pjsip_dtmf_info.so",
    "res_pjsip_rfc3326.so", "res_rtp_asterisk.so",
    "codec_ulaw.so", "format_wav.so", "format_pcm.so",
    "pbx_config.so", "func_uuid.so", "func_channel.so", "func_strings.so", "func_logic.so",
    "app_dial.so", "app_echo.so", "app_playback.so", "app_record.so", "app_read.so",
    "app_verbose.so",
    "bridge_simple.so", "bridge_native_rtp.so", "bridge_softmix.so", "bridge_holding.so",
    "res_audiosocket.so", "app_audiosocket.so", "chan_audiosocket.so",
    "res_http_websocket.so", "res_websocket_client.so", "chan_websocket.so",
    "res_stasis.so", "res_stasis_answer.so", "res_stasis_playback.so",
    "res_stasis_recording.so", "res_stasis_snoop.so", "res_stasis_device_state.so",
    "app_stasis.so", "res_ari.so", "res_ari_model.so", "res_ari_asterisk.so",
    "res_ari_applications.so", "res_ari_bridges.so", "res_ari_channels.so",
    "res_ari_endpoints.so", "res_ari_events.so", "res_ari_playbacks.so",
    "res_ari_recordings.so", "res_ari_sounds.so", "res_ari_device_states.so",
)

# The tones a caller may hear (ringing while the agent's phone rings).
INDICATIONS = """[general]
country = us
[us]
description = United States
ringcadence = 2000,4000
dial = 350+440
busy = 480+620/500,0/500
ring = 440+480/2000,0/4000
congestion = 480+620/250,0/250
"""

# The rig's own extensions (context from-caller). ${RIG} is the session directory.
RIG_DIALPLAN = r"""
; Says back what the caller says.
exten => echo,1,Answer()
 same => n,Echo()
 same => n,Hangup()

; Records the caller into ${RIG}/recordings/NAME.wav until either side hangs up.
exten => _rec-.,1,Answer()
 same => n,Record(${RIG}/recordings/${EXTEN:4}.wav,0,0,qxk)
 same => n,Hangup()

; Plays ${RIG}/sounds/NAME.wav to the caller, then hangs up (the hang-up from Asterisk).
exten => _play-.,1,Answer()
 same => n,Wait(0.5)
 same => n,Playback(${RIG}/sounds/${EXTEN:5})
 same => n,Wait(0.5)
 same => n,Hangup()

; Reads keypad digits (RFC 4733) up to '#', and logs them.
exten => dtmf,1,Answer()
 same => n,Read(DIGITS,,0,,1,15)
 same => n,Log(NOTICE,rig: digits ${DIGITS} on ${CHANNEL})
 same => n,Echo()

; Rings the agent endpoint; the agent hears the caller.
exten => agent,1,Dial(PJSIP/agent,20)
 same => n,Hangup()

; Hands the call to the ARI application "rig" (a test holds its event websocket
; open); ARI's "continue" sends it on, e.g. to extension "agent": a transfer over ARI.
; (ARI sets a channel's variables, continues or redirects it only while it is in Stasis:
; 409 "Channel not in Stasis application" otherwise; it hangs up any channel.)
exten => stasis,1,Answer()
 same => n,Stasis(rig)
 same => n,Hangup()
"""


@dataclass(frozen=True)
class AsteriskConf:
    """What the configuration needs to know: its directories and loopback ports."""

    rig_dir: Path  # the same path inside the chroot and out (see rig.py)
    module_dir: str  # inside the chroot
    sip_port: int
    http_port: int
    agent_port: int
    ari_user: str
    ari_password: str
    audiosocket_port: int | None = None
    websocket_uri: str | None = None
    websocket_password: str | None = None  # sent as HTTP Basic, user "asterisk"
    dialplan: str = ""

    @property
    def etc(self) -> Path:
        return self.rig_dir / "etc"

    def files(self) -> dict[str, str]:
        """Each configuration file's name and text."""
        d = self.rig_dir
        # Present and empty: the defaults are right, and Asterisk says so less loudly.
        files = dict.fromkeys(("acl.conf", "ccss.conf", "cel.conf", "features.conf",
                               "pjproject.conf", "udptl.conf", "chan_websocket.conf",
                               "websocket_client.conf"), "")
        files |= {
            "manager.conf": "[general]\nenabled = no\n",
            "cdr.conf": "[general]\nenable = no\n",
            "indications.conf": INDICATIONS,
            "asterisk.conf": f"""[directories]
astetcdir => {d}/etc
astmoddir => {self.module_dir}
astvarlibdir => /var/lib/asterisk
astdbdir => {d}/db
astkeydir => {d}/keys
astdatadir => /usr/share/asterisk
astagidir => /usr/share/asterisk/agi-bin
astspooldir => {d}/spool
astrundir => {d}/run
astlogdir => {d}/log
astsbindir => /usr/sbin
[options]
verbose = 3
nocolor = yes
hideconnect = yes
""",
            "modules.conf": "[modules]\nautoload = no\n"
            + "".join(f"load = {m}\n" for m in MODULES),
            "logger.conf": """[general]
dateformat = %F %T.%3q
[logfiles]
full => notice,warning,error,verbose(3),dtmf
""",
            "rtp.conf": "[general]\nrtpstart = 20000\nrtpend = 29999\n",
            "pjsip.conf": f"""[global]
type = global
user_agent = voicebot-test-asterisk

[loopback]
type = transport
protocol = udp
bind = 127.0.0.1:{self.sip_port}

[caller]
type = endpoint
transport = loopback
context = from-caller
disallow = all
allow = ulaw
dtmf_mode = rfc4733
direct_media = no
rtp_symmetric = yes

[agent]
type = endpoint
transport = loopback
context = from-agent
disallow = all
allow = ulaw
dtmf_mode = rfc4733
direct_media = no
aors = agent

[agent]
type = aor
contact = sip:agent@127.0.0.1:{self.agent_port}
""",
            "http.conf": f"""[general]
enabled = yes
bindaddr = 127.0.0.1
bindport = {self.http_port}
""",
            "ari.conf": f"""[general]
enabled = yes
[{self.ari_user}]
type = user
read_only = no
password = {self.ari_password}
password_format = plain
""",
            "extensions.conf": self._extensions(),
        }
        if self.websocket_uri:
            files["websocket_client.conf"] = f"""[voicebot]
type = websocket_client
connection_type = per_call_config
uri = {self.websocket_uri}
protocols = media
connection_timeout = 1000
reconnect_interval = 500
reconnect_attempts = 2
tls_enabled = no
"""
            if self.websocket_password:
                # res_websocket_client sends these as HTTP Basic credentials.
                files["websocket_client.conf"] += (
                    f"username = asterisk\npassword = {self.websocket_password}\n")
        return files

    def _extensions(self) -> str:
        adapters = []
        if self.audiosocket_port:
            adapters.append(f"""
; The service over AudioSocket (TCP, signed linear 8 kHz).
exten => audiosocket,1,Answer()
 same => n,AudioSocket(${{UUID()}},127.0.0.1:{self.audiosocket_port})
 same => n,Hangup()
""")
        if self.websocket_uri:
            adapters.append("""
; The service over chan_websocket (u-law in binary frames); the websocket's URI gets
; ?channel=<the caller's channel id, for ARI>; after the service hangs up, the dialplan
; goes on (Dial's g).
exten => websocket,1,Answer()
 same => n,Dial(WebSocket/voicebot/c(ulaw)v(channel=${UNIQUEID}),,g)
 same => n,Hangup()
""")
        return (
            "[general]\nstatic = yes\nwriteprotect = yes\n\n"
            f"[globals]\nRIG = {self.rig_dir}\n\n"
            "[from-agent]\nexten => _X.,1,Hangup()\n\n"
            "[from-caller]\n" + RIG_DIALPLAN + "".join(adapters) + self.dialplan + "\n"
        )
