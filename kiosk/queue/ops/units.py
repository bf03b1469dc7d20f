"""The help-queue server's systemd unit and, for several processes behind one address, an nginx site.

The unit confines the server to what it does: serve HTTP(S), write its state folder, talk to PostgreSQL.
Each line says why it is there; ``systemd-analyze security`` rates it (the tests hold it to a bar).
``MemoryDenyWriteExecute`` suits it: CPython, argon2, cryptography, psycopg and uvloop never make memory
executable after loading (the tests run a whole session under the kernel's equivalent, PR_SET_MDWE).
"""

from __future__ import annotations

import shlex

HEADER = "# Written by `kiosk queue install`; rerun it instead of editing this file.\n"


def service(*, user: str, python: str, state: str, host: str, port: int, workers: int = 1,
            tls: bool = False, cookie_secure: bool = False, catalog: str | None = None,
            protect_home: str = "yes") -> str:
    cmd = [python, "-m", "kiosk", "queue", "serve", "--state-dir", state, "--host", host, "--port", str(port)]
    cmd += ["--workers", str(workers)] if workers > 1 else []
    cmd += ["--tls-cert", "/etc/kiosk-queue/tls/server.pem", "--tls-key", "%d/tls.key"] if tls else []
    cmd += ["--cookie-secure"] if cookie_secure and not tls else []
    # behind nginx on this machine: its X-Forwarded-For/-Proto are believed (the login throttle and the
    # per-address connection cap then see each phone, not the proxy)
    cmd += ["--trusted-proxy", "127.0.0.1" if host in ("0.0.0.0", "::") else host] if cookie_secure and not tls else []
    cmd += ["--catalog", catalog] if catalog else []
    low_port = port < 1024
    caps = "CAP_NET_BIND_SERVICE" if low_port else ""
    return HEADER + f"""[Unit]
Description=帮办呼叫队列 help-queue server
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=exec
User={user}
Group={user}
# KIOSK_QUEUE_DB (PostgreSQL URL with its password) and, for several servers, KIOSK_QUEUE_KEYS;
# root-only, read by systemd before the server starts
EnvironmentFile=-/etc/kiosk-queue/env
ExecStart={shlex.join(cmd)}
{"# the TLS key is handed over by systemd (root reads it; the server sees a private copy)" + chr(10)
 + "LoadCredential=tls.key:/etc/kiosk-queue/tls/server.key" if tls else "# no TLS here: behind the proxy"}
StateDirectory=kiosk-queue
StateDirectoryMode=0700
Restart=on-failure
RestartSec=2
TimeoutStopSec=20
UMask=0077
LimitCORE=0
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome={protect_home}
PrivateTmp=yes
PrivateDevices=yes
DevicePolicy=closed
{"" if low_port else "PrivateUsers=yes" + chr(10)}PrivateMounts=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RemoveIPC=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
# but the password-check threads lower their own priority (nice +10; raising it needs CAP_SYS_NICE)
SystemCallFilter=setpriority
SystemCallErrorNumber=EPERM
CapabilityBoundingSet={caps}
AmbientCapabilities={caps}

[Install]
WantedBy=multi-user.target
"""


def nginx_site(*, server_name: str, upstreams: list[str], cert: str, key: str) -> str:
    """TLS at nginx, requests spread over the server processes; the event stream is never buffered."""
    backends = "\n".join(f"    server {u} max_fails=3 fail_timeout=10s;" for u in upstreams)
    return HEADER + f"""upstream kiosk_queue {{
{backends}
    keepalive 64;
}}

server {{
    listen 80;
    listen [::]:80;
    server_name {server_name};
    return 301 https://$host$request_uri;
}}

server {{
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name {server_name};
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:kiosk_queue:10m;
    add_header Strict-Transport-Security "max-age=31536000" always;
    client_max_body_size 1m;

    location / {{
        proxy_pass http://kiosk_queue;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto https;
        proxy_read_timeout 75s;
    }}

    # live events (server-sent): passed through as they come, the connection held open
    location /api/v1/events/stream {{
        proxy_pass http://kiosk_queue;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto https;
        proxy_buffering off;
        proxy_cache off;
        proxy_read_timeout 1h;
    }}
}}
"""
