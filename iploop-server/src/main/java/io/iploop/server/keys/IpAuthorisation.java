package io.iploop.server.keys;

/**
 * One address or CIDR range an account lets use the proxy without credentials
 * (docs/ip-authorised-access.md). Immutable.
 *
 * @param ip an IPv4 or IPv6 address or CIDR range, normalised (lower case, no host bits)
 * @param targeting the default targeting of requests from it, {@code name-value} pairs as after the
 *     key in a proxy password without the leading dash ({@code country-us-session-abc}); empty for
 *     none
 */
public record IpAuthorisation(String ip, String targeting) {}
