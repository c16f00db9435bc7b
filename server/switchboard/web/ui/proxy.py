"""Single sign-on through a trusted reverse proxy: the proxy names the user in a header.

Off unless both the header and the proxies' addresses are configured. The header is believed
only on connections that come from one of those addresses, and it must name a local user
(by login or e-mail address), whose roles then apply.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class ProxyLogin:
    header: str
    networks: tuple[Network, ...]

    def user_name(self, peer: str | None, headers: dict[str, str]) -> str | None:
        """The name the proxy sent, if the connection comes from a trusted proxy."""
        if peer is None or not self.trusts(peer):
            return None
        value = headers.get(self.header.lower(), "").strip()
        return value or None

    def trusts(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def proxy_login(header: str | None, proxies: str | None) -> ProxyLogin | None:
    """The SSO setup, None when off; ValueError when only half of it is configured."""
    if not header and not proxies:
        return None
    if not header or not proxies:
        raise ValueError(
            "SWITCHBOARD_UI_PROXY_USER_HEADER and SWITCHBOARD_UI_TRUSTED_PROXIES go together: "
            "set both, or neither"
        )
    networks = []
    for item in proxies.split(","):
        text = item.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(
                f"SWITCHBOARD_UI_TRUSTED_PROXIES: {text!r} is not an address or network"
            ) from None
    if not networks:
        raise ValueError("SWITCHBOARD_UI_TRUSTED_PROXIES names no address")
    return ProxyLogin(header, tuple(networks))
