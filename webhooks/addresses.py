"""Where a webhook may post: public addresses only, checked after the name is resolved. No Django.

A webhook's URL is typed by an admin, and the app posts to it from inside the network: without this check
it could be pointed at the database (https://127.0.0.1:5432/), a cloud's metadata service
(169.254.169.254) or a machine on the private network. Every address the name resolves to must be public;
the caller then connects to the address checked here, so a name that resolves differently a moment later
(DNS rebinding) cannot redirect the post.
"""

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(ValueError):
    """The host is, or resolves to, an address the app must not post to; the message says why."""


class NameUnresolved(AddressRefused):
    """The name resolves to no address (now)."""


def address_kind(address: IPAddress) -> str | None:
    """Why the address is not public, in a few words, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address (a cloud's metadata service lives there)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private network address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The host as an IP address when it is written as one ("10.0.0.1", "[::1]"), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def addresses_resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (a literal address is itself); socket.gaierror when it does not."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    unique = dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found)
    return list(unique)


def public_address(host: str, port: int, *, allow_private: bool) -> IPAddress:
    """The address to connect to for ``host``: resolved, and public unless ``allow_private``.

    Refused (AddressRefused) when the name does not resolve, or when any address it resolves to is not
    public: a name with one public and one private address is not safe either.
    """
    try:
        addresses = addresses_resolve(host, port)
    except (socket.gaierror, UnicodeError) as error:
        raise NameUnresolved(f"The name {host} could not be resolved ({error.__class__.__name__}).") from None
    if not addresses:
        raise NameUnresolved(f"The name {host} resolves to no address.")
    if not allow_private:
        for address in addresses:
            kind = address_kind(address)
            if kind is not None:
                where = f"{address} is" if literal_address(host) is not None else f"{host} resolves to {address},"
                raise AddressRefused(
                    f"{where} {kind}: webhooks go only to public addresses. "
                    "An on-premises CRM needs the setting WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true."
                )
    return addresses[0]
