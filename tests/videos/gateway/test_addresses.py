"""Callback address rules: public internet only, checked on the name, its addresses, the socket."""

import socket

import pytest
import requests

from videos.netguard import CALLBACKS, is_public_address
from videos.netguard import AddressError as CallbackAddressError

check_callback_url = CALLBACKS.check_url
GuardedAdapter = CALLBACKS.adapter


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "169.254.170.2",
        "100.100.100.200",
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "not-an-ip",
    ],
)
def test_non_public_addresses_are_refused(ip):
    assert is_public_address(ip) is False


@pytest.mark.parametrize("ip", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(ip):
    assert is_public_address(ip) is True


def fake_dns(monkeypatch, table):
    """Answer getaddrinfo from `table` (host -> list of IPs); fall back to the real resolver."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            answer = table[host]
            ips = answer() if callable(answer) else answer
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port or 80),
                )
                for ip in ips
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_public_https_url_passes(monkeypatch):
    fake_dns(monkeypatch, {"hooks.example.com": ["93.184.216.34"]})

    assert (
        check_callback_url("https://hooks.example.com/cb?x=1") == "https://hooks.example.com/cb?x=1"
    )


def test_localhost_is_refused_because_it_resolves_to_loopback():
    with pytest.raises(CallbackAddressError, match="not a public internet address"):
        check_callback_url("http://localhost:8000/cb")


def test_a_name_that_resolves_to_127_0_0_1_is_refused(monkeypatch):
    fake_dns(monkeypatch, {"innocent.example.com": ["127.0.0.1"]})

    with pytest.raises(CallbackAddressError, match="127.0.0.1"):
        check_callback_url("https://innocent.example.com/cb")


def test_a_name_is_refused_if_any_of_its_addresses_is_private(monkeypatch):
    fake_dns(monkeypatch, {"mixed.example.com": ["93.184.216.34", "10.0.0.5"]})

    with pytest.raises(CallbackAddressError, match="10.0.0.5"):
        check_callback_url("https://mixed.example.com/cb")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",  # 127.0.0.1 written as a number
        "http://0x7f.1/",
        "http://0/",
    ],
)
def test_ip_literals_in_any_spelling_are_checked(url):
    with pytest.raises((CallbackAddressError, OSError)):
        check_callback_url(url)


@pytest.mark.parametrize(
    "url",
    [
        None,
        5,
        "",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http:///path-only",
        "https://exa mple.com/",
        "http://example.com:99999/",
        "https://example.com/" + "x" * 2000,
    ],
)
def test_urls_that_are_not_plain_http_addresses_are_refused(url):
    with pytest.raises(CallbackAddressError):
        check_callback_url(url)


def test_an_allowed_host_skips_the_address_check(settings):
    settings.CALLBACK_ALLOWED_HOSTS = ["localhost"]

    assert check_callback_url("http://localhost:8000/cb") == "http://localhost:8000/cb"
    with pytest.raises(CallbackAddressError):
        check_callback_url("http://127.0.0.1:8000/cb")  # only the host named is exempt


def test_a_name_rebound_to_loopback_after_the_check_is_refused_at_connect_time(
    monkeypatch, receiver
):
    port = receiver.server.server_address[1]
    answers = iter([["93.184.216.34"]])  # public for the check, then loopback for the connect
    fake_dns(monkeypatch, {"rebind.example.com": lambda: next(answers, ["127.0.0.1"])})
    url = f"http://rebind.example.com:{port}/cb"
    check_callback_url(url)

    session = requests.Session()
    session.trust_env = False
    session.mount("http://", GuardedAdapter())
    with pytest.raises(CallbackAddressError, match="127.0.0.1"):
        session.post(url, json={"x": 1}, timeout=2)

    assert receiver.received == []


def test_the_guarded_adapter_lets_an_allowed_host_through(settings, receiver):
    settings.CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]
    session = requests.Session()
    session.mount("http://", GuardedAdapter())

    response = session.post(receiver.url(), json={"x": 1}, timeout=2)

    assert response.status_code == 200 and receiver.received == [{"x": 1}]
