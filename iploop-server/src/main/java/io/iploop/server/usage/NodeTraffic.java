package io.iploop.server.usage;

import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

/**
 * What one exit node carried to one destination host on one UTC day, from the usage records
 * (docs/product/earn.md#traffic-transparency): host names only, never paths, contents or who the
 * customers were. Immutable.
 *
 * @param day the UTC calendar day the streams started on
 * @param host the destination host the customers asked for (a name or an IP literal), lower case
 * @param port the destination port the customers asked for, or null for records that carry none
 *     (written before ports were recorded: docs/operator-transparency.md#destination-ports); one row
 *     per host and port
 * @param bytesUp bytes the node sent to the host (the customers' requests), protocol overhead included
 * @param bytesDown bytes the node received from the host (the responses)
 * @param streams usage records (customer streams and interim records)
 * @param customers distinct customers among those streams: a count, never an identity
 */
public record NodeTraffic(LocalDate day, String host, @Nullable Integer port, long bytesUp, long bytesDown, long streams, long customers) {

    /** {@code host:port} ({@code [v6]:port} for an IPv6 literal), or the host alone when the port is unknown. */
    public String destination() {
        if (port == null) {
            return host;
        }
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Both directions, in bytes. */
    public long bytes() {
        return bytesUp + bytesDown;
    }
}
