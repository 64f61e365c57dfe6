"""Outbound requests to addresses we did not choose: public internet only.

Two features make this server fetch a URL it was handed: the gateway POSTs results to a
client's callback_url, and the media copy downloads the files AceDataCloud reported.
Unchecked, either would let someone reach the loopback interface, the private network or
a cloud metadata service (SSRF). Each guard applies its rule three times:

1. on the URL (scheme, host) and every address its host resolves to, before the request;
2. again on each redirect the caller chooses to follow (none are followed automatically);
3. at connect time, on the peer address of the socket actually opened, so a name that
   resolves to a public address for the check and to 127.0.0.1 for the connection (DNS
   rebinding) still cannot get through.

Hosts listed in the guard's setting skip the address checks (development, tests, a
trusted internal host such as the local simulator).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

URL_MAX = 2000

# Cloud metadata services. Most are link-local or private already; they are named so the
# rule does not depend on how a given Python version classifies them.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressError(ValueError):
    """A URL we will not request; the message says why, for a person to read."""


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo, NAT64), if any."""
    if addr.ipv4_mapped:
        return addr.ipv4_mapped
    if addr.sixtofour:
        return addr.sixtofour
    if addr.teredo:
        return addr.teredo[1]
    if addr in NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def is_public_address(ip: str) -> bool:
    """Whether an IP address is a global unicast address that is not a metadata service."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(addr)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    blocked = (
        addr in METADATA_ADDRESSES
        or addr.is_loopback
        or addr.is_private
        or addr.is_link_local
        or addr.is_reserved
        or addr.is_multicast
        or addr.is_unspecified
        or (isinstance(addr, ipaddress.IPv6Address) and addr.is_site_local)
    )
    return addr.is_global and not blocked


def _is_host_name(host: str) -> bool:
    """Whether DNS could look the host up at all (an IP address, or labels of 1-63 bytes)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        encoded = host.rstrip(".").encode("idna")
    except UnicodeError:  # an empty label, or one longer than 63: DNS cannot carry it
        return False
    return 0 < len(encoded) <= 253


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to; raises OSError when it does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressGuard:
    """The public-internet rule for one feature, with its own allow-list setting."""

    def __init__(self, setting: str, label: str):
        self.setting = setting
        self.label = label

    def allowed_hosts(self) -> set[str]:
        return {h.strip().lower().strip("[]") for h in getattr(settings, self.setting)}

    def is_allowed_host(self, host: str | None) -> bool:
        return bool(host) and host.lower().strip("[]") in self.allowed_hosts()

    def check_address(self, ip: str, host: str) -> None:
        if not is_public_address(ip):
            raise AddressError(
                f"{self.label}'s host {host} is at {ip}, which is not a public internet "
                "address. Use an address reachable from the internet."
            )

    def check_url(self, url) -> str:
        """Return the URL if it may be requested; raise AddressError otherwise.

        Raises OSError (socket.gaierror) if the host does not resolve; callers decide
        whether that is the sender's mistake or a transient fault.
        """
        if not isinstance(url, str) or not url.strip():
            raise AddressError(f"{self.label} must be an http:// or https:// address.")
        url = url.strip()
        if len(url) > URL_MAX:
            raise AddressError(f"{self.label} must be at most {URL_MAX} characters.")
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise AddressError(f"{self.label} is not a valid URL.")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AddressError(f"{self.label} must be an http:// or https:// address.")
        if any(ch.isspace() or ord(ch) < 32 for ch in url):
            raise AddressError(f"{self.label} must not contain spaces or control characters.")
        if not _is_host_name(parts.hostname):
            raise AddressError(
                f"{self.label}'s host is not a valid host name (each part between dots "
                "must be 1 to 63 characters, 253 in all)."
            )
        if self.is_allowed_host(parts.hostname):
            return url
        for ip in resolve(parts.hostname, port):
            self.check_address(ip, parts.hostname)
        return url

    def adapter(self, on_connect=None) -> HTTPAdapter:
        """A requests adapter whose sockets are checked after connect (DNS rebinding).

        on_connect(sock), if given, is told of every socket opened (a caller's watchdog).
        """
        guard = self

        class Checked:
            def _new_conn(self):
                sock = super()._new_conn()
                if not guard.is_allowed_host(self.host):
                    try:
                        guard.check_address(sock.getpeername()[0], self.host)
                    except AddressError:
                        sock.close()
                        raise
                if on_connect is not None:
                    on_connect(sock)
                return sock

        class Connection(Checked, HTTPConnection):
            pass

        class SecureConnection(Checked, HTTPSConnection):
            pass

        class Pool(HTTPConnectionPool):
            ConnectionCls = Connection

        class SecurePool(HTTPSConnectionPool):
            ConnectionCls = SecureConnection

        class Adapter(HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                super().init_poolmanager(*args, **kwargs)
                self.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": SecurePool}

        return Adapter(max_retries=0)

    def session(self, on_connect=None) -> requests.Session:
        session = requests.Session()
        # No proxies or .netrc from the environment: the connect-time check must see the peer.
        session.trust_env = False
        adapter = self.adapter(on_connect)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session


CALLBACKS = AddressGuard("CALLBACK_ALLOWED_HOSTS", "callback_url")
MEDIA = AddressGuard("MEDIA_FETCH_ALLOWED_HOSTS", "media URL")
