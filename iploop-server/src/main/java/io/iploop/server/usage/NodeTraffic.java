package io.iploop.server.usage;

import java.time.LocalDate;

/**
 * What one exit node carried to one destination host on one UTC day, from the usage records
 * (docs/product/earn.md#traffic-transparency): host names only, never paths, contents or who the
 * customers were. Immutable.
 *
 * @param day the UTC calendar day the streams started on
 * @param host the destination host the customers asked for (a name or an IP literal), lower case
 * @param bytesUp bytes the node sent to the host (the customers' requests), protocol overhead included
 * @param bytesDown bytes the node received from the host (the responses)
 * @param streams usage records (customer streams and interim records)
 * @param customers distinct customers among those streams: a count, never an identity
 */
public record NodeTraffic(LocalDate day, String host, long bytesUp, long bytesDown, long streams, long customers) {

    /** Both directions, in bytes. */
    public long bytes() {
        return bytesUp + bytesDown;
    }
}
