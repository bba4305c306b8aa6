"""The client's address, seen through the reverse proxies this deployment trusts.

Behind a proxy REMOTE_ADDR is the proxy, so the audit log, the sign-in lockout and the
check-in rate limit would all see one address for everyone. X-Forwarded-For names the
real client, but anyone can send that header: it is read only when the peer itself is a
proxy named in HOLDSPACE_TRUSTED_PROXIES, and only as far as the trusted proxies reach.
Everything that needs an address calls `client_ip()`; nothing else reads the header.

The scheme follows the same rule: `TrustedProxyMiddleware` takes `X-Forwarded-Proto`
from a trusted peer (so a request that reached the proxy over https is https here, and
the https redirect does not loop) and drops every forwarding header sent by anyone else.
The servers `holdspace serve` starts are told the same list (holdspace/web/serving.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in trusted)


def _address(raw: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; compare them as IPv4.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def resolve(remote_addr: str, forwarded_for: str, trusted: tuple[str, ...]) -> str:
    """The client address from the peer, its X-Forwarded-For header and the trusted list.

    Walks the header from the right (each proxy appends the address it saw), skipping
    trusted proxies; the first untrusted address is the client, and entries left of it
    (which the client may have written) are never read. A malformed entry reached before
    that means the chain cannot be followed, so the peer is used. Returns "" when the
    peer address itself is unusable.
    """
    peer = _address(remote_addr)
    if peer is None:
        return ""
    networks = _networks(trusted)
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    hops = [h for h in forwarded_for.split(",") if h.strip()]
    address = peer
    for hop in reversed(hops):
        parsed = _address(hop)
        if parsed is None:
            return str(peer)
        address = parsed
        if not _is_trusted(address, networks):
            return str(address)
    # No header, or every hop is a trusted proxy (a request made from a proxy host).
    return str(address)


def _trusted() -> tuple[str, ...]:
    return tuple(getattr(settings, "HOLDSPACE_TRUSTED_PROXIES", ()))


def client_ip(request: HttpRequest) -> str:
    """The address of the client behind any trusted proxies ("" when unknown)."""
    return resolve(
        str(request.META.get("REMOTE_ADDR", "")),
        str(request.META.get("HTTP_X_FORWARDED_FOR", "")),
        _trusted(),
    )


def peer_is_trusted(remote_addr: str, trusted: tuple[str, ...]) -> bool:
    peer = _address(remote_addr)
    return peer is not None and _is_trusted(peer, _networks(trusted))


# Headers a proxy uses to describe the original request; from anyone else they are noise.
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


class TrustedProxyMiddleware:
    """Outermost: the request's scheme as the trusted proxy saw it; others' headers gone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        meta = request.META
        if peer_is_trusted(str(meta.get("REMOTE_ADDR", "")), _trusted()):
            # The nearest proxy's word: the last value, should a chain have appended.
            proto = str(meta.get("HTTP_X_FORWARDED_PROTO", "")).split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                meta["wsgi.url_scheme"] = proto
        else:
            for name in FORWARDING_HEADERS:
                meta.pop(name, None)
        return self.get_response(request)
