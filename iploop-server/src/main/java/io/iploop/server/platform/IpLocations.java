package io.iploop.server.platform;

import java.util.Optional;

/**
 * Where an IP address is, for display (the location of a login session, docs/product/accounts.md#login-sessions). Backed by
 * the optional GeoIP database of the nodes feature; without one every answer is empty. Thread-safe.
 */
public interface IpLocations {

    /** {@code "City, Region, CC"} (the known parts) for a literal IPv4/IPv6 address, if the database knows it. */
    Optional<String> describe(String ip);
}
